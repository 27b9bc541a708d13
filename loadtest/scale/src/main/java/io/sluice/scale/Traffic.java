package io.sluice.scale;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.LocalMapStats;
import io.sluice.protocol.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the nodes of one member JVM received and served, counted from their start: event-bus messages delivered to
 * them (instance and node events on {@code sluice.events}; routers' load reports to the hub and the hub's digests,
 * {@code sluice.load*}; everything else), with the bytes of the first two, and the map operations their Hazelcast
 * members served on the partitions they own (the instance and node maps). Summed over every JVM of a cluster, the map counts are the cluster's totals.
 */
final class Traffic {
  private final LongAdder events = new LongAdder();
  private final LongAdder eventBytes = new LongAdder();
  private final LongAdder loads = new LongAdder();
  private final LongAdder loadBytes = new LongAdder();
  private final LongAdder other = new LongAdder();
  private final List<Vertx> nodes = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Counts what {@code vertx} receives from now on. */
  void follow(Vertx vertx) {
    nodes.add(vertx);
    vertx.eventBus().addInboundInterceptor(ctx -> {
      String address = ctx.message().address();
      if (Addresses.EVENTS.equals(address)) {
        events.increment();
        eventBytes.add(size(ctx.body()));
      } else if (address.startsWith(Addresses.LOAD)) { // routers' reports to the hub, and its digests
        loads.increment();
        loadBytes.add(size(ctx.body()));
      } else {
        other.increment();
      }
      ctx.next();
    });
  }

  private static long size(Object body) {
    if (body instanceof JsonObject j) {
      return j.toBuffer().length();
    }
    return body instanceof Buffer b ? b.length() : 0;
  }

  JsonObject snapshot() {
    JsonObject maps = new JsonObject();
    for (String name : List.of(Addresses.INSTANCES_MAP, Addresses.NODES_MAP)) {
      long puts = 0;
      long gets = 0;
      long others = 0;
      for (Vertx v : nodes) {
        HazelcastInstance hz = ((HazelcastClusterManager) ((VertxInternal) v).clusterManager()).getHazelcastInstance();
        LocalMapStats st = hz.getMap(name).getLocalMapStats();
        puts += st.getPutOperationCount() + st.getSetOperationCount();
        gets += st.getGetOperationCount();
        others += st.getOtherOperationCount() + st.getRemoveOperationCount();
      }
      maps.put(name, new JsonObject().put("writes", puts).put("reads", gets).put("other", others));
    }
    return new JsonObject().put("events", events.sum()).put("event_bytes", eventBytes.sum())
        .put("load_reports", loads.sum()).put("load_report_bytes", loadBytes.sum()).put("other_messages", other.sum())
        .put("maps", maps);
  }

  /** The sum of several JVMs' snapshots (numbers added field by field, nested objects too). */
  static JsonObject sum(List<JsonObject> snapshots) {
    JsonObject total = new JsonObject();
    for (JsonObject s : snapshots) {
      add(total, s, 1);
    }
    return total;
  }

  /**
   * Per second over {@code seconds}: in total (messages delivered, map operations served) and per node ({@code
   * nodes}): what one node receives.
   */
  static JsonObject rates(JsonObject before, JsonObject after, double seconds, int nodes) {
    JsonObject delta = new JsonObject();
    add(delta, after, 1);
    add(delta, before, -1);
    return new JsonObject().put("seconds", seconds).put("total_per_s", scaled(delta, 1 / seconds))
        .put("per_node_per_s", scaled(delta, 1 / seconds / nodes));
  }

  private static void add(JsonObject into, JsonObject from, int sign) {
    from.forEach(e -> {
      if (e.getValue() instanceof JsonObject nested) {
        if (!into.containsKey(e.getKey())) {
          into.put(e.getKey(), new JsonObject());
        }
        add(into.getJsonObject(e.getKey()), nested, sign);
      } else if (e.getValue() instanceof Number n) {
        into.put(e.getKey(), into.getLong(e.getKey(), 0L) + sign * n.longValue());
      }
    });
  }

  private static JsonObject scaled(JsonObject counts, double factor) {
    JsonObject out = new JsonObject();
    counts.forEach(e -> out.put(e.getKey(), e.getValue() instanceof JsonObject nested ? scaled(nested, factor)
        : Math.round(((Number) e.getValue()).doubleValue() * factor * 10) / 10.0));
    return out;
  }
}
