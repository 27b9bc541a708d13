package io.sluice.router;

import io.sluice.protocol.DeploymentKey;
import io.sluice.auth.Authenticator;
import io.sluice.mirror.AnswerComparison;
import io.sluice.mirror.ComparisonSettings;
import io.sluice.protocol.DeploymentDoc;
import io.sluice.protocol.EndpointDoc;
import io.sluice.protocol.InstanceInfo;
import io.sluice.protocol.InstanceState;
import io.sluice.protocol.ProvisioningState;
import io.sluice.protocol.RequestSettings;
import io.sluice.protocol.Snapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Objects;

/**
 * What a router needs to route a request, in memory: per endpoint its credentials, weights, mirror and per
 * deployment its request settings and ready instances. Rebuilt (never changed in place) from the desired-state
 * snapshot and the observed instances; only the choosers' positions (splitter, sampler, round-robin cursor) carry
 * over from the previous table when nothing they depend on changed, so splits stay exact across rebuilds.
 */
final class RoutingTable {
  static final RoutingTable EMPTY = new RoutingTable(Map.of());

  static final class DeploymentRoute {
    final String name;
    final RequestSettings settings;
    final int instanceCount;
    final List<String> ready;
    /** Restarting instances: used only when none is Ready (their runtime queues the request). */
    final List<String> fallback;
    /** The ready instances in this router's own JVM: chosen first while they have room (no event-bus hop). */
    final Set<String> local;
    /** The node of each instance (ready or fallback): which channel reaches it. */
    private final Map<String, String> nodes;
    /** The round-robin cursor of {@link #pickInstance}: router-local, owned by the router's event loop. */
    private int next;
    /** The tensors its model takes and gives ({@code inference_protocol}: inputs, outputs), or null. */
    final io.vertx.core.json.JsonObject tensors;

    DeploymentRoute(DeploymentDoc d, List<String> ready, List<String> fallback, Set<String> local,
                    Map<String, String> nodes, int next) {
      this.nodes = nodes;
      this.name = d.name();
      this.tensors = d.spec().getJsonObject("inference_protocol");
      this.settings = d.requestSettings();
      this.instanceCount = d.instanceCount();
      this.ready = List.copyOf(ready);
      this.fallback = List.copyOf(fallback);
      this.local = Set.copyOf(local);
      this.next = next;
    }

    /**
     * Azure's admission limit: 2 x max_concurrent_requests_per_instance x instance_count in flight (with batching,
     * x max_batch_size: an instance works on a whole batch per worker).
     */
    int admissionLimit() {
      return 2 * settings.perInstance() * Math.max(instanceCount, ready.size());
    }

    String nodeOf(String instance) {
      return nodes.get(instance);
    }

    boolean serving() {
      return !ready.isEmpty() || !fallback.isEmpty();
    }

    /** Instances a request may go to, counting the fallback ones only when none is Ready. */
    int choices() {
      return ready.isEmpty() ? fallback.size() : ready.size();
    }

    /**
     * Local first: the least busy instance in this JVM while it has room (fewer of this router's requests in flight
     * than max_concurrent_requests_per_instance), so nothing crosses the event bus that this node can serve at once;
     * otherwise the ready instance with the fewest requests in flight from this router, so remote instances take
     * the overflow and none starves. Never {@code avoid} (an instance that just refused); ties go round robin, so
     * equal instances share evenly and a slow one gets less.
     */
    String pickInstance(Map<String, int[]> inFlight, String avoid) {
      List<String> from = ready.isEmpty() ? fallback : ready;
      if (from.isEmpty()) {
        return null;
      }
      next = (next + 1) % from.size();
      String best = null;
      String bestLocal = null;
      int least = Integer.MAX_VALUE;
      int leastLocal = Integer.MAX_VALUE;
      for (int k = 0; k < from.size(); k++) {
        String id = from.get((next + k) % from.size());
        if (id.equals(avoid)) {
          continue;
        }
        int[] f = inFlight.get(id);
        int n = f == null ? 0 : f[0];
        if (n < least) {
          least = n;
          best = id;
        }
        if (n < leastLocal && local.contains(id)) {
          leastLocal = n;
          bestLocal = id;
        }
      }
      return bestLocal != null && leastLocal < settings.perInstance() ? bestLocal : best;
    }
  }

  static final class EndpointRoute {
    final String name;
    final Authenticator.Credentials credentials;
    final TrafficSplitter splitter;
    final String mirrorTo;
    final MirrorSampler mirror;
    final Map<String, DeploymentRoute> deployments;
    /** The traffic split as the endpoint states it (deployment name -> percent). */
    final Map<String, Integer> traffic;
    /** How this endpoint's mirrored answers are compared with live answers. */
    final AnswerComparison.Tolerance tolerance;

    EndpointRoute(EndpointDoc e, EndpointRoute previous, Map<String, DeploymentRoute> deployments) {
      name = e.name();
      traffic = Map.copyOf(e.traffic());
      tolerance = ComparisonSettings.tolerance(e.spec().getJsonObject("mirror_comparison"));
      credentials = new Authenticator.Credentials(e.name(), e.uid(), e.authMode(), e.keyHashes());
      splitter = previous != null && previous.splitter.sameWeights(e.traffic()) ? previous.splitter
          : new TrafficSplitter(e.traffic());
      String m = null;
      int pct = 0;
      for (Map.Entry<String, Integer> t : e.mirror().entrySet()) {
        if (t.getValue() > 0) {
          m = t.getKey();
          pct = t.getValue();
        }
      }
      mirrorTo = m;
      mirror = previous != null && previous.mirror != null && Objects.equals(previous.mirrorTo, m)
          && previous.mirror.percent() == pct ? previous.mirror : (m == null ? null : new MirrorSampler(pct));
      this.deployments = Map.copyOf(deployments);
    }
  }

  /** Every deployment this table routes to (what may have meters and counts). */
  Set<DeploymentKey> deploymentKeys() {
    Set<DeploymentKey> keys = new HashSet<>();
    endpoints.forEach((e, ep) -> ep.deployments.keySet().forEach(d -> keys.add(new DeploymentKey(e, d))));
    return keys;
  }

  final Map<String, EndpointRoute> endpoints;

  private RoutingTable(Map<String, EndpointRoute> endpoints) {
    this.endpoints = Map.copyOf(endpoints);
  }

  /** A table for a router with no instance in its own JVM (tests, and routers that host nothing). */
  static RoutingTable build(Snapshot snapshot, Iterable<InstanceInfo> instances, RoutingTable previous) {
    return build(snapshot, instances, previous, null);
  }

  /**
   * Builds a table from a snapshot and the observed instances, keeping the choosers of {@code previous};
   * {@code localNode}: this router's node id, whose instances are chosen first.
   */
  static RoutingTable build(Snapshot snapshot, Iterable<InstanceInfo> instances, RoutingTable previous,
                            String localNode) {
    Map<String, List<String>> ready = new HashMap<>();
    Map<String, List<String>> fallback = new HashMap<>();
    Set<String> local = new HashSet<>();
    Map<String, String> nodes = new HashMap<>();
    for (InstanceInfo i : instances) {
      if (i.state() == InstanceState.Ready || i.state() == InstanceState.Restarting) {
        nodes.put(i.id(), i.nodeId());
      }
      if (i.state() == InstanceState.Ready) {
        ready.computeIfAbsent(i.deploymentKey(), k -> new ArrayList<>()).add(i.id());
        if (localNode != null && localNode.equals(i.nodeId())) {
          local.add(i.id());
        }
      } else if (i.state() == InstanceState.Restarting) {
        fallback.computeIfAbsent(i.deploymentKey(), k -> new ArrayList<>()).add(i.id());
      }
    }
    Map<String, String> nodeOf = Map.copyOf(nodes);
    Set<String> localIds = Set.copyOf(local); // one copy shared by every route (a copy each cost D x local ids)
    Map<String, Map<String, DeploymentRoute>> byEndpoint = new HashMap<>();
    for (DeploymentDoc d : snapshot.deployments()) {
      if (d.state() == ProvisioningState.Deleting) {
        continue;
      }
      EndpointRoute prevEp = previous.endpoints.get(d.endpoint());
      DeploymentRoute prev = prevEp == null ? null : prevEp.deployments.get(d.name());
      List<String> r = sorted(ready.get(d.key()));
      List<String> f = sorted(fallback.get(d.key()));
      byEndpoint.computeIfAbsent(d.endpoint(), k -> new HashMap<>())
          .put(d.name(), new DeploymentRoute(d, r, f, localIds, nodeOf, prev == null ? 0 : prev.next));
    }
    Map<String, EndpointRoute> endpoints = new HashMap<>();
    for (EndpointDoc e : snapshot.endpoints()) {
      if (e.state() != ProvisioningState.Deleting) {
        endpoints.put(e.name(), new EndpointRoute(e, previous.endpoints.get(e.name()),
            byEndpoint.getOrDefault(e.name(), Map.of())));
      }
    }
    return new RoutingTable(endpoints);
  }

  private static List<String> sorted(List<String> ids) {
    if (ids == null) {
      return List.of();
    }
    ids.sort(String::compareTo);
    return ids;
  }
}
