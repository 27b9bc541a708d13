package io.sluice.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.it.Await;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What unauthenticated bridge clients can make a node hold (issue 21): half-read frames share one budget and end at
 * their deadline; a client that reads no answers stops being read, then is closed. The real bridge verticle on a
 * real socket; no request reaches the data plane here (pings and frames never finished need none).
 */
class BridgeLimitsTest {
  static final int KIB = 1024;
  static Vertx vertx;
  static BridgeVerticle bridge;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    // frames must be whole 6 s after their length came: the eight stalled frames below must all be announced, and
    // seen waiting, before the first one's deadline (2 s was too short for a starved CI machine)
    bridge = new BridgeVerticle(new BridgeSettings(new NetServerOptions().setHost("127.0.0.1").setPort(0), 512 * KIB,
        64, 8, 10_000, 1024 * KIB, 6000, 2000));
    vertx.deployVerticle(bridge).await(20, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(20, TimeUnit.SECONDS);
  }

  static NetSocket connect(NetClientOptions o) throws Exception {
    return vertx.createNetClient(o).connect(bridge.actualPort(), "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  static Buffer frame(JsonObject o) {
    Buffer body = o.toBuffer();
    return Buffer.buffer().appendInt(body.length()).appendBuffer(body);
  }

  @Test
  void halfReadFramesShareTheBudgetWaitForRoomAndEndAtTheirDeadline() throws Exception {
    List<NetSocket> slow = new ArrayList<>();
    AtomicInteger closed = new AtomicInteger();
    for (int i = 0; i < 8; i++) { // each announces 400 KiB and sends 300 KiB of it: 3.2 MiB announced, 1 MiB budget
      NetSocket s = connect(new NetClientOptions());
      s.closeHandler(v -> closed.incrementAndGet());
      s.write(Buffer.buffer().appendInt(400 * KIB).appendBytes(new byte[300 * KIB]));
      slow.add(s);
    }
    Await.until(() -> bridge.budget().waiting() == 6, Duration.ofSeconds(10), "six frames waiting for room");
    assertThat(bridge.budget().free()).isEqualTo(1024 * KIB - 2 * 400 * KIB);
    // a small frame is not held up by them
    NetSocket quick = connect(new NetClientOptions());
    Buffer got = Buffer.buffer();
    quick.handler(got::appendBuffer);
    quick.write(frame(new JsonObject().put("type", "ping")));
    Await.until(() -> got.toString().contains("pong"), Duration.ofSeconds(10), "pong");
    // none finishes its frame: the deadline closes each one, and the budget is whole again
    Await.until(() -> closed.get() == 8, Duration.ofSeconds(20), "the stalled frames' connections closed");
    Await.until(() -> bridge.budget().free() == 1024 * KIB && bridge.budget().waiting() == 0,
        Duration.ofSeconds(10), "the budget whole again");
    quick.close();
  }

  /**
   * A plain blocking socket that writes pings and never reads a pong: once the bridge's answers fill the socket, the
   * bridge reads no more of it (this side's writes block), then closes it (a write fails).
   */
  @Test
  void aClientThatReadsNoAnswersStopsBeingReadThenIsClosed() throws Exception {
    byte[] pings;
    {
      Buffer b = Buffer.buffer();
      for (int i = 0; i < 10_000; i++) {
        b.appendBuffer(frame(new JsonObject().put("type", "ping")));
      }
      pings = b.getBytes();
    }
    java.util.concurrent.CompletableFuture<Long> ended = new java.util.concurrent.CompletableFuture<>();
    try (java.net.Socket s = new java.net.Socket()) {
      s.setReceiveBufferSize(4096);
      s.connect(new java.net.InetSocketAddress("127.0.0.1", bridge.actualPort()), 5000);
      Thread writer = new Thread(() -> {
        long sent = 0;
        try {
          while (sent < 5_000_000) { // bounded: 100 MB of pings at most
            s.getOutputStream().write(pings);
            sent += 10_000;
          }
          ended.complete(-sent);
        } catch (java.io.IOException e) { // the bridge closed the connection
          ended.complete(sent);
        }
      });
      writer.setDaemon(true);
      writer.start();
      long sent = ended.get(60, TimeUnit.SECONDS);
      assertThat(sent).as("pings sent before the bridge closed the connection (negative: never closed)")
          .isPositive();
    }
  }
}
