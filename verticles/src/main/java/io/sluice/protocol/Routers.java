package io.sluice.protocol;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Tells every router of the cluster about a change and waits until each has applied it (or the timeout
 * passed). Used where "eventually" is not good enough: a control-plane answer (the new traffic is in force when
 * the command returns) and a draining instance (no router sends it anything new once this completes).
 * Messages from one node to another travel in order over one connection, so a request a router sent before its
 * acknowledgement has arrived before the acknowledgement does.
 */
public final class Routers {
  private Routers() {
  }

  public static final long ACK_TIMEOUT_MS = 2000;

  /** Never fails: a router that does not answer catches up on its periodic resync. */
  public static Future<Void> tellAll(Vertx vertx, JsonObject change) {
    return vertx.sharedData().<String, JsonObject>getClusterWideMap(Addresses.NODES_MAP)
        .compose(m -> m.values())
        .compose(nodes -> {
          List<Future<?>> acks = new ArrayList<>();
          for (JsonObject n : nodes) {
            if (NodeRoles.has(n, NodeRoles.ROUTER)) {
              acks.add(vertx.eventBus().request(Addresses.router(n.getString("node_id")), change,
                  new DeliveryOptions().setSendTimeout(ACK_TIMEOUT_MS)));
            }
          }
          return Future.join(acks);
        })
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }
}
