package io.sluice.client;

import io.sluice.bridge.BridgeFrames;
import io.sluice.protocol.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * For applications that score over a node's event-bus bridge instead of HTTP (the application does not join the
 * cluster): same routing, traffic split, mirror, auth and errors. A failure is a {@link ReplyException} whose
 * {@code failureCode()} is the HTTP status Sluice would have answered (401, 404, 408, 424, 429, 503, 500) and whose
 * message is the error body. One connection carries many requests at once.
 *
 * <pre>{@code
 * Vertx vertx = Vertx.vertx();
 * SluiceClient sluice = SluiceClient.connect(vertx, "127.0.0.1", 9080).await();
 * sluice.invoke("my-endpoint", key, "{\"data\": [[1,2,3,4,5,6,7,8,9,10]]}", null)
 *     .onSuccess(a -> System.out.println(a.deployment() + " answered " + a.body()));
 * }</pre>
 */
public final class SluiceClient {
  private final Vertx vertx;
  /** Held: Vert.x shuts a client down when nothing references it any more, and its connection with it. */
  private final NetClient client;
  private final NetSocket socket;
  private final long timeoutMs;
  /** Requests waiting for their answer, by reply address; invoke may be called from any thread. */
  private final Map<String, Promise<JsonObject>> pending = new ConcurrentHashMap<>();
  private boolean readingLength = true;

  private SluiceClient(Vertx vertx, NetClient client, NetSocket socket, long timeoutMs) {
    this.vertx = vertx;
    this.client = client;
    this.socket = socket;
    this.timeoutMs = timeoutMs;
    RecordParser parser = RecordParser.newFixed(4);
    parser.handler(b -> {
      if (readingLength) {
        readingLength = false;
        parser.fixedSizeMode(b.getInt(0));
      } else {
        readingLength = true;
        parser.fixedSizeMode(4);
        received(new JsonObject(b));
      }
    });
    socket.handler(parser);
    socket.closeHandler(v -> failAll("the bridge closed the connection"));
    // Vert.x closing: without this the connection stays open for the whole shutdown grace period (30 s)
    socket.shutdownHandler(v -> socket.close());
  }

  /** Connects to a node's bridge ({@code bridge.port}, default the HTTP port + 1000). */
  public static Future<SluiceClient> connect(Vertx vertx, String host, int port) {
    return connect(vertx, host, port, new NetClientOptions(), 190_000);
  }

  /** {@code options}: TLS when the node's bridge has it; {@code timeoutMs}: keep it above request_timeout_ms. */
  public static Future<SluiceClient> connect(Vertx vertx, String host, int port, NetClientOptions options,
                                             long timeoutMs) {
    NetClient client = vertx.createNetClient(options);
    return client.connect(port, host).map(s -> new SluiceClient(vertx, client, s, timeoutMs));
  }

  /** The scoring answer and who gave it. */
  public record Answer(String deployment, String requestId, String body) {
  }

  /**
   * Scores {@code body} (the JSON text a score.py receives) on {@code endpoint}. {@code deployment} pins a
   * deployment like the {@code azureml-model-deployment} header (null: by traffic).
   */
  public Future<Answer> invoke(String endpoint, String key, String body, String deployment) {
    JsonObject q = new JsonObject().put("endpoint", endpoint).put("authorization", "Bearer " + key).put("body", body);
    if (deployment != null) {
      q.put("deployment", deployment);
    }
    String replyAddress = "reply." + UUID.randomUUID();
    Promise<JsonObject> answer = Promise.promise();
    pending.put(replyAddress, answer);
    long timer = vertx.setTimer(timeoutMs, t -> fail(replyAddress, 408, ReplyFailure.TIMEOUT, "no answer in "
        + timeoutMs + " ms"));
    socket.write(BridgeFrames.frame(new JsonObject().put("type", "send").put("address", Addresses.INVOKE)
        .put("replyAddress", replyAddress).put("headers", new JsonObject().put("timeout", timeoutMs)).put("body", q)));
    return answer.future().onComplete(ar -> vertx.cancelTimer(timer))
        .map(a -> new Answer(a.getString("deployment"), a.getString("request_id"), a.getString("body")));
  }

  public Future<Void> close() {
    return client.close();
  }

  private void received(JsonObject frame) {
    String address = frame.getString("address");
    if ("message".equals(frame.getString("type"))) {
      Promise<JsonObject> p = pending.remove(address);
      if (p != null) {
        p.tryComplete(frame.getJsonObject("body"));
      }
    } else if ("err".equals(frame.getString("type"))) {
      if (address == null) { // refused frame: not tied to one request
        failAll(frame.getString("message"));
      } else {
        fail(address, frame.getInteger("failureCode", 500), ReplyFailure.RECIPIENT_FAILURE, frame.getString("message"));
      }
    }
  }

  private void fail(String replyAddress, int code, ReplyFailure type, String message) {
    Promise<JsonObject> p = pending.remove(replyAddress);
    if (p != null) {
      p.tryFail(new ReplyException(type, code, message));
    }
  }

  private void failAll(String message) {
    Map<String, Promise<JsonObject>> all = new HashMap<>(pending);
    pending.clear();
    all.values().forEach(p -> p.tryFail(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 500, message)));
  }
}
