package io.sluice.protocol;

import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes instance events stamped with where they come from ({@code origin}: the publishing node's id) and that
 * node's running count ({@code seq}), so a router that sees a count jump knows it missed one and reads the whole
 * state again, instead of reading it on a short timer just in case (docs/capacity.md).
 */
public final class InstanceEvents {
  public static final String ORIGIN = "origin";
  public static final String SEQ = "seq";
  /** One count per node (several nodes share a JVM in tests and in the scale harness). */
  private static final Map<Vertx, AtomicLong> COUNTS = Collections.synchronizedMap(new WeakHashMap<>());

  private InstanceEvents() {
  }

  public static void publish(Vertx vertx, InstanceInfo inst) {
    JsonObject e = Events.instance(inst).put(ORIGIN, ((VertxInternal) vertx).clusterManager().getNodeId())
        .put(SEQ, COUNTS.computeIfAbsent(vertx, v -> new AtomicLong()).incrementAndGet());
    vertx.eventBus().publish(Addresses.EVENTS, e);
  }
}
