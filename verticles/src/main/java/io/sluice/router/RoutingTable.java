package io.sluice.router;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a router needs to route a request, in memory: per endpoint its keys, weights, mirror and per deployment
 * its request settings and ready instances. Rebuilt from the desired-state snapshot and the instances map;
 * splitter and sampler state survive a rebuild when the weights did not change, so splits stay exact.
 */
final class RoutingTable {

  static final class DeploymentRoute {
    final String name;
    final int timeoutMs;
    final int queueWaitMs;
    final int maxConcurrent;
    final int instanceCount;
    final List<String> ready = new ArrayList<>();
    /** Restarting instances: used only when none is Ready (their runtime queues the request). */
    final List<String> fallback = new ArrayList<>();
    int next;

    DeploymentRoute(JsonObject d) {
      name = d.getString("name");
      JsonObject rs = d.getJsonObject("request_settings", new JsonObject());
      timeoutMs = rs.getInteger("request_timeout_ms", 5000);
      queueWaitMs = rs.getInteger("max_queue_wait_ms", 500);
      maxConcurrent = rs.getInteger("max_concurrent_requests_per_instance", 1);
      instanceCount = d.getInteger("instance_count", 1);
    }

    /** The router's own deadline: the scorer answers 408 first; this only covers a scorer that never answers. */
    int routerTimeoutMs() {
      return timeoutMs + queueWaitMs + 1000;
    }

    /** Azure's admission limit: 2 x max_concurrent_requests_per_instance x instance_count in flight. */
    int admissionLimit() {
      return 2 * maxConcurrent * Math.max(instanceCount, ready.size());
    }

    /**
     * The ready instance with the fewest requests in flight from this router; ties go round robin, so equal
     * instances share evenly and a slow one gets less.
     */
    boolean serving() {
      return !ready.isEmpty() || !fallback.isEmpty();
    }

    String pickInstance(Map<String, int[]> inFlight) {
      if (ready.isEmpty()) {
        return fallback.isEmpty() ? null : fallback.get(Math.floorMod(++next, fallback.size()));
      }
      next = (next + 1) % ready.size();
      String best = null;
      int least = Integer.MAX_VALUE;
      for (int k = 0; k < ready.size(); k++) {
        String id = ready.get((next + k) % ready.size());
        int[] f = inFlight.get(id);
        int n = f == null ? 0 : f[0];
        if (n < least) {
          least = n;
          best = id;
        }
      }
      return best;
    }
  }

  static final class EndpointRoute {
    final String name;
    final String authMode;
    final String primaryKey;
    final String secondaryKey;
    final TrafficSplitter splitter;
    final String mirrorTo;
    final MirrorSampler mirror;
    final Map<String, DeploymentRoute> deployments = new HashMap<>();

    EndpointRoute(JsonObject e, EndpointRoute previous) {
      name = e.getString("name");
      authMode = e.getString("auth_mode");
      JsonObject keys = e.getJsonObject("keys", new JsonObject());
      primaryKey = keys.getString("primary");
      secondaryKey = keys.getString("secondary");
      Map<String, Integer> traffic = new HashMap<>();
      e.getJsonObject("traffic", new JsonObject()).forEach(t -> traffic.put(t.getKey(),
          ((Number) t.getValue()).intValue()));
      splitter = previous != null && previous.splitter.sameWeights(traffic) ? previous.splitter
          : new TrafficSplitter(traffic);
      String m = null;
      int pct = 0;
      for (Map.Entry<String, Object> t : e.getJsonObject("mirror_traffic", new JsonObject())) {
        if (((Number) t.getValue()).intValue() > 0) {
          m = t.getKey();
          pct = ((Number) t.getValue()).intValue();
        }
      }
      mirrorTo = m;
      mirror = previous != null && previous.mirror != null && java.util.Objects.equals(previous.mirrorTo, m)
          && previous.mirror.percent() == pct ? previous.mirror : (m == null ? null : new MirrorSampler(pct));
    }
  }

  final Map<String, EndpointRoute> endpoints = new HashMap<>();

  /** Builds a table from a snapshot and the observed instances, keeping state from {@code previous}. */
  static RoutingTable build(JsonObject snapshot, Iterable<JsonObject> instances, RoutingTable previous) {
    RoutingTable t = new RoutingTable();
    for (Object o : snapshot.getJsonArray("endpoints")) {
      JsonObject e = (JsonObject) o;
      if ("Deleting".equals(e.getString("provisioning_state"))) {
        continue;
      }
      EndpointRoute prev = previous == null ? null : previous.endpoints.get(e.getString("name"));
      t.endpoints.put(e.getString("name"), new EndpointRoute(e, prev));
    }
    for (Object o : snapshot.getJsonArray("deployments")) {
      JsonObject d = (JsonObject) o;
      EndpointRoute ep = t.endpoints.get(d.getString("endpoint_name"));
      if (ep != null && !"Deleting".equals(d.getString("provisioning_state"))) {
        DeploymentRoute r = new DeploymentRoute(d);
        DeploymentRoute prev = previous == null || previous.endpoints.get(ep.name) == null ? null
            : previous.endpoints.get(ep.name).deployments.get(r.name);
        if (prev != null) {
          r.next = prev.next;
        }
        ep.deployments.put(r.name, r);
      }
    }
    for (JsonObject i : instances) {
      EndpointRoute ep = t.endpoints.get(i.getString("endpoint"));
      DeploymentRoute d = ep == null ? null : ep.deployments.get(i.getString("deployment"));
      if (d != null && "Ready".equals(i.getString("state"))) {
        d.ready.add(i.getString("id"));
      } else if (d != null && "Restarting".equals(i.getString("state"))) {
        d.fallback.add(i.getString("id"));
      }
    }
    t.endpoints.values().forEach(ep -> ep.deployments.values().forEach(d -> {
      d.ready.sort(String::compareTo);
      d.fallback.sort(String::compareTo);
    }));
    return t;
  }
}
