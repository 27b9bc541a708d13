package io.sluice.protocol;

import io.sluice.auth.ClusterTrust;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Tells every router of the cluster about a change and waits until each has applied it, or until
 * {@link #ACK_TIMEOUT_MS} passed. Used where "eventually" is not good enough: a control-plane answer (the new
 * traffic is in force on every router that acknowledged) and a draining instance (no router that acknowledged sends
 * it anything new). Messages from one node to another travel in order over one connection, so a request a router
 * sent before its acknowledgement has arrived before the acknowledgement does.
 */
public final class Routers {
  private Routers() {
  }

  public static final long ACK_TIMEOUT_MS = 2000;

  /**
   * Never fails: completes with the names of the routers that did not acknowledge in time (empty when all did).
   * Those catch up on their periodic resync (every 2 s).
   */
  public static Future<List<String>> tellAll(Vertx vertx, JsonObject change) {
    return ClusterCalls.bounded(ClusterTrust.of(vertx).nodes().refresh(), "the node list")
        .compose(nodes -> {
          List<Future<?>> acks = new ArrayList<>();
          List<String> names = new ArrayList<>();
          for (NodeFacts n : nodes) {
            if (n.has(NodeRoles.ROUTER)) {
              names.add(n.name());
              acks.add(vertx.eventBus().request(Addresses.router(n.nodeId()), change,
                  new DeliveryOptions().setSendTimeout(ACK_TIMEOUT_MS)));
            }
          }
          return Future.join(acks).otherwiseEmpty().map(x -> {
            List<String> missed = new ArrayList<>();
            for (int i = 0; i < acks.size(); i++) {
              if (!acks.get(i).succeeded()) {
                missed.add(names.get(i));
              }
            }
            return missed;
          });
        })
        .otherwise(err -> List.of("(the node list could not be read: " + err.getMessage() + ")"));
  }
}
