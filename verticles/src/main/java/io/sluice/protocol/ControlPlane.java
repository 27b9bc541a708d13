package io.sluice.protocol;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

/**
 * How every actor asks the endpoint-manager: this node's own first, any node's only when this node runs none.
 * Staying local keeps a node's control-plane calls independent of other nodes' health (a clustered send may pick a
 * node that just died and wait for the whole timeout).
 */
public final class ControlPlane {
  private ControlPlane() {
  }

  /** A user-facing op on {@link Addresses#ENDPOINTS}. */
  public static Future<JsonObject> request(Vertx vertx, JsonObject op, long timeoutMs) {
    return request(vertx, Addresses.ENDPOINTS, op, timeoutMs);
  }

  /** A node-only op on {@link Addresses#ENDPOINTS_INTERNAL}. */
  public static Future<JsonObject> internal(Vertx vertx, JsonObject op, long timeoutMs) {
    return request(vertx, Addresses.ENDPOINTS_INTERNAL, op, timeoutMs);
  }

  /** The whole desired state. */
  public static Future<Snapshot> snapshot(Vertx vertx, long timeoutMs) {
    return internal(vertx, new JsonObject().put(Ops.OP, Ops.SNAPSHOT), timeoutMs).map(Snapshot::fromJson);
  }

  private static Future<JsonObject> request(Vertx vertx, String address, JsonObject op, long timeoutMs) {
    return vertx.eventBus().<JsonObject>request(address, op,
            new DeliveryOptions().setSendTimeout(timeoutMs).setLocalOnly(true))
        .recover(err -> err instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS
            ? vertx.eventBus().<JsonObject>request(address, op, new DeliveryOptions().setSendTimeout(timeoutMs))
            : Future.failedFuture(err))
        .map(m -> m.body());
  }
}
