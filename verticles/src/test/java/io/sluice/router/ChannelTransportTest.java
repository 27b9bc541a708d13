package io.sluice.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.channel.ChannelFrames;
import io.sluice.channel.ChannelHandshake;
import io.sluice.channel.ChannelVerticle;
import io.sluice.it.Await;
import io.sluice.protocol.Answer;
import io.sluice.protocol.HttpParts;
import io.sluice.protocol.NodeFacts;
import io.sluice.scorer.NeverRan;
import io.sluice.scoring.LocalInstances;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The scoring channel on real sockets: a {@link ChannelVerticle} serving this JVM's {@link LocalInstances}, a
 * router's {@link ChannelTransport} on its own event loop, and strangers that are not nodes.
 */
class ChannelTransportTest {
  static final String TOKEN = "the-admin-token";
  static Vertx vertx;
  static ChannelVerticle server;
  static String deploymentId;
  static final AtomicInteger calls = new AtomicInteger();
  static final List<Object[]> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** The instances the channel serves: this test's own, as a node's are its own. */
  static final LocalInstances locals = new LocalInstances();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    server = new ChannelVerticle(new ChannelVerticle.Settings(new NetServerOptions().setHost("127.0.0.1").setPort(0),
        1 << 20, 16, 500), new ChannelHandshake(TOKEN), "n1", new io.sluice.auth.Unproved(null), locals);
    deploymentId = vertx.deployVerticle(server).await(20, TimeUnit.SECONDS);
    locals.register("ch-echo", (rid, body, http, redirectable) -> {
      calls.incrementAndGet();
      seen.add(new Object[] {rid, http, redirectable});
      return CompletableFuture.completedFuture(new Answer.Answered(200, false, true, 1.25, 0.5, "text/plain",
          Map.of("x-from", "script"), Buffer.buffer(body)));
    });
    locals.register("ch-refuses", (rid, body, http, redirectable) -> CompletableFuture.completedFuture(
        new Answer.NeverRan("instance ch-refuses has drained")));
    locals.register("ch-gives-back", (rid, body, http, redirectable) ->
        CompletableFuture.failedFuture(new NeverRan("stopping")));
    locals.register("ch-breaks", (rid, body, http, redirectable) ->
        CompletableFuture.failedFuture(new IllegalStateException("boom")));
    locals.register("ch-hangs", (rid, body, http, redirectable) -> new CompletableFuture<>());
    locals.register("ch-streams", (rid, body, http, redirectable) -> CompletableFuture.completedFuture(
        new Answer.Answered(200, false, false, 1, 0, "text/plain", Map.of(), Buffer.buffer("c0"), STREAM)));
    // answers on another thread, as Python and Java workers do
    locals.register("ch-later", (rid, body, http, redirectable) -> CompletableFuture.supplyAsync(() ->
        new Answer.Answered(200, false, false, 2, 0, null, Map.of(), Buffer.buffer(body)),
        CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS)));
  }

  /** A long stream that counts its pulls and whether it was cancelled. */
  static final AtomicInteger pulled = new AtomicInteger();
  static final java.util.concurrent.atomic.AtomicBoolean cancelled = new java.util.concurrent.atomic.AtomicBoolean();
  static final io.sluice.scorer.ChunkStream STREAM = new io.sluice.scorer.ChunkStream() {
    @Override
    public java.util.concurrent.CompletionStage<byte[]> next() {
      return CompletableFuture.completedFuture(("c" + pulled.incrementAndGet()).getBytes());
    }

    @Override
    public void cancel() {
      cancelled.set(true);
    }

      @Override
      public java.util.concurrent.CompletionStage<Void> over() {
        return new CompletableFuture<>();
      }
  };

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(20, TimeUnit.SECONDS);
  }

  /** A router's transport on its own event loop, told that node "n1" has its channel at {@code port}. */
  static final class Router {
    final Context ctx = vertx.getOrCreateContext();
    final ChannelTransport transport;

    Router(String token, int port) throws Exception {
      this(token, port, ChannelTransport.Timing.DEFAULT);
    }

    Router(String token, int port, ChannelTransport.Timing timing) throws Exception {
      JsonObject facts = new NodeFacts("n1", "node-1", "http://x", List.of(), List.of("*"), 4, false, List.of("*"),
          1000, 1000, "127.0.0.1:" + port, "").toJson();
      CompletableFuture<ChannelTransport> made = new CompletableFuture<>();
      ctx.runOnContext(v -> {
        ChannelTransport t = new ChannelTransport(vertx, new ChannelHandshake(token), new NetClientOptions(),
            () -> Future.succeededFuture(List.of(facts)), timing);
        t.start();
        made.complete(t);
      });
      transport = made.get(10, TimeUnit.SECONDS);
    }

    boolean reaches(String instance) throws Exception {
      CompletableFuture<Boolean> r = new CompletableFuture<>();
      ctx.runOnContext(v -> r.complete(transport.reaches(request(instance, 1000))));
      return r.get(10, TimeUnit.SECONDS);
    }

    Answer call(String instance, long deadlineMs) throws Exception {
      CompletableFuture<Answer> got = new CompletableFuture<>();
      ctx.runOnContext(v -> transport.call(request(instance, deadlineMs), got::complete));
      return got.get(20, TimeUnit.SECONDS);
    }

    void close() {
      ctx.runOnContext(v -> transport.stop());
    }

    /** The next chunk of a stream this router received, pulled on its own event loop. */
    String next(io.sluice.scorer.ChunkStream rest) throws Exception {
      CompletableFuture<byte[]> got = new CompletableFuture<>();
      ctx.runOnContext(v -> rest.next().whenComplete((b, err) -> {
        if (err != null) {
          got.completeExceptionally(err);
        } else {
          got.complete(b);
        }
      }));
      byte[] b = got.get(20, TimeUnit.SECONDS);
      return b == null ? null : new String(b);
    }

    static ScorerTransport.Call request(String instance, long deadlineMs) {
      return new ScorerTransport.Call(instance, "n1", "rid-" + instance, new HttpParts("PUT", "/score", "q=1",
          Map.of("x-client", "yes")), Buffer.buffer("payload"), deadlineMs, true, false);
    }
  }

  static Answer.Answered answered(Answer a) {
    assertThat(a).isInstanceOf(Answer.Answered.class);
    return (Answer.Answered) a;
  }

  @Test
  void aCallGoesOverTheChannelOnceBothSidesProvedThemselvesAndFailuresKeepTheirMeaning() throws Exception {
    Router r = new Router(TOKEN, server.actualPort());
    try {
      assertThat(r.reaches("ch-echo")).as("the first call starts the connection and takes the event bus").isFalse();
      Await.until(() -> r.reaches("ch-echo"), Duration.ofSeconds(10), "the channel ready");
      Answer.Answered reply = answered(r.call("ch-echo", 5000));
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.body().toString()).isEqualTo("payload");
      assertThat(reply.contentType()).isEqualTo("text/plain");
      assertThat(reply.runMs()).isEqualTo(1.25);
      assertThat(reply.queueMs()).isEqualTo(0.5);
      assertThat(reply.made()).isTrue();
      assertThat(reply.headers()).isEqualTo(Map.of("x-from", "script"));
      Object[] got = seen.get(seen.size() - 1);
      assertThat(got[0]).isEqualTo("rid-ch-echo");
      assertThat(got[1]).isEqualTo(new HttpParts("PUT", "/score", "q=1", Map.of("x-client", "yes")));
      assertThat(got[2]).isEqualTo(true);

      assertThat(r.call("ch-nowhere", 5000)).isInstanceOf(Answer.NeverRan.class);
      assertThat(r.call("ch-refuses", 5000)).isEqualTo(new Answer.NeverRan("instance ch-refuses has drained"));
      assertThat(r.call("ch-gives-back", 5000)).isInstanceOf(Answer.NeverRan.class);
      assertThat(r.call("ch-breaks", 5000)).isInstanceOfSatisfying(Answer.Failed.class,
          f -> assertThat(f.timedOut()).isFalse());
      long t0 = System.nanoTime();
      assertThat(r.call("ch-hangs", 300)).isInstanceOfSatisfying(Answer.Failed.class,
          f -> assertThat(f.timedOut()).isTrue());
      assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(300);
      assertThat(r.call("ch-echo", 5000)).as("the connection outlives failures").isInstanceOf(Answer.Answered.class);
      List<CompletableFuture<Answer>> later = new java.util.ArrayList<>();
      for (int i = 0; i < 20; i++) {
        later.add(CompletableFuture.supplyAsync(() -> {
          try {
            return r.call("ch-later", 5000);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }));
      }
      for (CompletableFuture<Answer> f : later) {
        assertThat(answered(f.get(20, TimeUnit.SECONDS)).body().toString())
            .as("an answer completed off the channel's event loop").isEqualTo("payload");
      }
    } finally {
      r.close();
    }
  }

  @Test
  void aRouterSendsNothingToAListenerThatCannotProveItIsANode() throws Exception {
    ChannelVerticle impostor = new ChannelVerticle(new ChannelVerticle.Settings(new NetServerOptions()
        .setHost("127.0.0.1").setPort(0), 1 << 20, 4, 500), new ChannelHandshake("another-cluster"), "n1",
        new io.sluice.auth.Unproved(null), locals);
    String id = vertx.deployVerticle(impostor).await(20, TimeUnit.SECONDS);
    Router r = new Router(TOKEN, impostor.actualPort());
    try {
      int before = calls.get();
      assertThat(r.reaches("ch-echo")).isFalse();
      // each attempt is refused (the router's proof fails there, and the listener could not prove itself either)
      // refused at every look over half a second (a breach fails the test at once)
      Await.stable(() -> {
        assertThat(r.reaches("ch-echo")).isFalse();
        assertThat(r.call("ch-echo", 1000)).isInstanceOf(Answer.NeverRan.class);
        return true;
      }, Duration.ofMillis(500), Duration.ofSeconds(10), "every attempt refused");
      assertThat(calls.get()).isEqualTo(before);
    } finally {
      r.close();
      vertx.undeploy(id).await(20, TimeUnit.SECONDS);
    }
  }

  /** Issue 22: a caller's handler that throws was taken for a malformed frame and closed the connection. */
  @Test
  void aCallersHandlerThatThrowsDoesNotCloseTheConnection() throws Exception {
    Router r = new Router(TOKEN, server.actualPort());
    try {
      r.reaches("ch-echo");
      Await.until(() -> r.reaches("ch-echo"), Duration.ofSeconds(10), "the channel ready");
      CompletableFuture<Boolean> handled = new CompletableFuture<>();
      r.ctx.runOnContext(v -> r.transport.call(Router.request("ch-echo", 5000), a -> {
        handled.complete(a instanceof Answer.Answered);
        throw new IllegalStateException("a bug in the caller's own handler");
      }));
      assertThat(handled.get(10, TimeUnit.SECONDS)).isTrue();
      assertThat(r.call("ch-echo", 5000)).as("the next call on the same connection").isInstanceOf(Answer.Answered.class);
      assertThat(r.reaches("ch-echo")).as("the connection is still up").isTrue();
    } finally {
      r.close();
    }
  }

  static String serverIdentity() {
    return ChannelHandshake.identity("n1", server.address());
  }

  /**
   * A member that points a node's channel address at its own relay, which passes every byte on both ways: the node's
   * proof names the address the node published, not the relay's, so the router closes the connection before any
   * request, and the relay reads nothing but the handshake.
   */
  @Test
  void aRelayBetweenARouterAndANodeFails() throws Exception {
    io.vertx.core.net.NetClient toNode = vertx.createNetClient();
    Buffer relayed = Buffer.buffer();
    io.vertx.core.net.NetServer relay = vertx.createNetServer().connectHandler(in -> {
      in.pause();
      toNode.connect(server.actualPort(), "127.0.0.1").onSuccess(out -> {
        in.handler(b -> {
          synchronized (relayed) {
            relayed.appendBuffer(b);
          }
          out.write(b);
        });
        out.handler(in::write);
        in.closeHandler(v -> out.close());
        out.closeHandler(v -> in.close());
        in.resume();
      }).onFailure(err -> in.close());
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    Router r = new Router(TOKEN, relay.actualPort());
    try {
      int before = calls.get();
      // refused at every look over half a second (a breach fails the test at once)
      Await.stable(() -> {
        assertThat(r.reaches("ch-echo")).isFalse();
        assertThat(r.call("ch-echo", 1000)).isInstanceOf(Answer.NeverRan.class);
        return true;
      }, Duration.ofMillis(500), Duration.ofSeconds(10), "every attempt refused");
      assertThat(calls.get()).isEqualTo(before);
      synchronized (relayed) {
        assertThat(relayed.toString(java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("payload");
      }
    } finally {
      r.close();
      relay.close();
      toNode.close();
    }
  }

  @Test
  void aListenerThatNeverAnswersIsLeftAndTriedAgainLater() throws Exception {
    AtomicInteger accepted = new AtomicInteger();
    AtomicInteger closedByRouter = new AtomicInteger();
    io.vertx.core.net.NetServer mute = vertx.createNetServer().connectHandler(s -> {
      accepted.incrementAndGet();
      s.closeHandler(v -> closedByRouter.incrementAndGet());
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    // short handshake and retry times: what is tested is that they are kept, not how long they are
    Router r = new Router(TOKEN, mute.actualPort(), new ChannelTransport.Timing(2000, 200, 300));
    try {
      assertThat(r.reaches("ch-echo")).isFalse();
      // the handshake timeout closes the first connection, and after the retry delay a new one is tried
      Await.until(() -> {
        r.reaches("ch-echo"); // what starts a new attempt once the retry delay has passed
        return closedByRouter.get() >= 1 && accepted.get() >= 2;
      }, Duration.ofSeconds(30), "the mute listener left and tried again");
      assertThat(r.reaches("ch-echo")).isFalse();
    } finally {
      r.close();
      mute.close();
    }
  }

  /** A raw connection to the channel: what it was sent, and whether the server closed it. */
  static final class Stranger {
    final Buffer received = Buffer.buffer();
    final AtomicBoolean closed = new AtomicBoolean();
    final NetSocket socket;

    Stranger() throws Exception {
      this(server.actualPort());
    }

    Stranger(int port) throws Exception {
      // the handlers are set on the connection's event loop as it opens, before its first bytes are read
      socket = vertx.createNetClient().connect(port, "127.0.0.1").map(s -> {
        s.handler(b -> {
          synchronized (received) {
            received.appendBuffer(b);
          }
        });
        s.closeHandler(v -> closed.set(true));
        return s;
      }).await(10, TimeUnit.SECONDS);
    }

    /** Sends, unless the server closed the connection already (which is what most of these tests expect). */
    void send(Buffer b) throws Exception {
      try {
        socket.write(b).await(10, TimeUnit.SECONDS);
      } catch (Exception closedMeanwhile) {
        // the write lost the race with the server's close: what the test checks next is that close
      }
    }

    void awaitClosed(String why) {
      Await.until(closed::get, Duration.ofSeconds(10), why);
    }

    /** The nonce of the server's READY (sent in answer to a HELLO). */
    byte[] serverNonce() {
      Await.until(() -> length() >= 4 + 1 + ChannelHandshake.NONCE_BYTES, Duration.ofSeconds(10), "READY");
      synchronized (received) {
        return received.getBytes(5, 5 + ChannelHandshake.NONCE_BYTES);
      }
    }

    int length() {
      synchronized (received) {
        return received.length();
      }
    }
  }

  /**
   * A streamed answer crosses the channel against the router's credit: the node pulls four chunks ahead of what the
   * router's client took and one more per chunk taken, in order; the router's cancel reaches the instance's stream.
   */
  @Test
  void aStreamCrossesAgainstCreditAndACancelReachesTheInstance() throws Exception {
    Router router = new Router(TOKEN, server.actualPort());
    Await.until(() -> router.reaches("ch-streams"), Duration.ofSeconds(10), "the channel ready");
    Answer.Answered a = answered(router.call("ch-streams", 5000));
    assertThat(a.body().toString()).isEqualTo("c0");
    assertThat(a.rest()).isNotNull();
    Await.until(() -> pulled.get() == 4, Duration.ofSeconds(10), "four chunks pulled ahead");
    assertThat(router.next(a.rest())).isEqualTo("c1");
    assertThat(router.next(a.rest())).isEqualTo("c2");
    Await.until(() -> pulled.get() == 6, Duration.ofSeconds(10), "one more pulled per chunk taken");
    assertThat(pulled.get()).as("never more than the credit").isEqualTo(6);
    router.ctx.runOnContext(v -> a.rest().cancel());
    Await.until(cancelled::get, Duration.ofSeconds(10), "the cancel reaching the instance");
    router.close();
  }

  @Test
  void strangersAreClosedBeforeAnythingReachesAnInstance() throws Exception {
    int before = calls.get();
    Buffer call = ChannelFrames.call(new ChannelFrames.Call(1, "ch-echo", "r", HttpParts.POST, false, false,
        Buffer.buffer("x")));

    Stranger callsAtOnce = new Stranger();
    callsAtOnce.send(call);
    callsAtOnce.awaitClosed("a call before the handshake closes the connection");

    Stranger wrongKey = new Stranger();
    byte[] nonce = ChannelHandshake.nonce();
    wrongKey.send(ChannelFrames.hello(nonce));
    wrongKey.send(ChannelFrames.proof(new ChannelHandshake("guessed").clientProof(wrongKey.serverNonce(), nonce, serverIdentity())));
    wrongKey.send(call);
    wrongKey.awaitClosed("a wrong proof closes the connection");
    assertThat(wrongKey.length()).as("nothing but the READY was sent").isEqualTo(5
        + 2 * ChannelHandshake.NONCE_BYTES);

    Stranger replays = new Stranger();
    Stranger other = new Stranger();
    other.send(ChannelFrames.hello(nonce));
    replays.send(ChannelFrames.hello(nonce));
    replays.serverNonce();
    // a proof that was good for another connection (its server nonce) is worth nothing on this one
    replays.send(ChannelFrames.proof(new ChannelHandshake(TOKEN).clientProof(other.serverNonce(), nonce, serverIdentity())));
    replays.send(call);
    replays.awaitClosed("a proof made for another connection's nonce closes this one");

    Stranger huge = new Stranger();
    huge.send(Buffer.buffer().appendInt(100_000_000));
    huge.awaitClosed("a large frame before the handshake closes the connection");

    Stranger steers = new Stranger();
    steers.send(ChannelFrames.more(1, 64));
    steers.awaitClosed("a stream's credit before the handshake closes the connection");

    Stranger silent = new Stranger();
    silent.awaitClosed("a connection that proves nothing is closed at the handshake timeout");

    assertThat(calls.get()).as("no stranger's call reached an instance").isEqualTo(before);
  }

  @Test
  void connectionsBeyondTheLimitAreClosedAtOnce() throws Exception {
    ChannelVerticle small = new ChannelVerticle(new ChannelVerticle.Settings(new NetServerOptions()
        .setHost("127.0.0.1").setPort(0), 1 << 20, 2, 10_000), new ChannelHandshake(TOKEN), "n1",
        new io.sluice.auth.Unproved(null), locals);
    String id = vertx.deployVerticle(small).await(20, TimeUnit.SECONDS);
    try {
      List<Stranger> held = List.of(new Stranger(small.actualPort()), new Stranger(small.actualPort()));
      for (Stranger s : held) {
        s.send(ChannelFrames.hello(ChannelHandshake.nonce()));
        s.serverNonce(); // both are being served
      }
      Stranger third = new Stranger(small.actualPort());
      third.awaitClosed("the third connection is refused");
      assertThat(third.length()).isZero();
    } finally {
      vertx.undeploy(id).await(20, TimeUnit.SECONDS);
    }
  }
}
