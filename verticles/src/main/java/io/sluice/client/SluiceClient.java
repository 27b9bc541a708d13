package io.sluice.client;

import io.sluice.protocol.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;

/**
 * For Vert.x applications that join a Sluice cluster: invoke an endpoint over the clustered event bus instead of
 * HTTP, with the same routing, traffic split, mirror, auth and errors. A failure is a {@link ReplyException} whose
 * {@code failureCode()} is the HTTP status Sluice would have answered (401, 404, 408, 424, 429, 503, 500) and whose
 * message is the error body.
 *
 * <pre>{@code
 * Vertx vertx = Vertx.builder().withClusterManager(new HazelcastClusterManager(sameConfigAsTheNodes)).buildClustered().await();
 * SluiceClient sluice = new SluiceClient(vertx);
 * sluice.invoke("my-endpoint", key, "{\"data\": [[1,2,3,4,5,6,7,8,9,10]]}", null)
 *     .onSuccess(a -> System.out.println(a.deployment() + " answered " + a.body()));
 * }</pre>
 */
public final class SluiceClient {
  private final Vertx vertx;
  private final long timeoutMs;

  public SluiceClient(Vertx vertx) {
    this(vertx, 190_000);
  }

  /** {@code timeoutMs}: the event-bus timeout; keep it above the deployments' request_timeout_ms. */
  public SluiceClient(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
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
    return vertx.eventBus().<JsonObject>request(Addresses.INVOKE, q, new DeliveryOptions().setSendTimeout(timeoutMs))
        .map(m -> new Answer(m.body().getString("deployment"), m.body().getString("request_id"),
            m.body().getString("body")));
  }
}
