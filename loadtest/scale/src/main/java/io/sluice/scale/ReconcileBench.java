package io.sluice.scale;

import io.sluice.auth.EntryProof;
import io.sluice.protocol.Addresses;
import io.sluice.protocol.DeploymentDoc;
import io.sluice.protocol.EndpointDoc;
import io.sluice.protocol.InstanceInfo;
import io.sluice.protocol.InstanceState;
import io.sluice.protocol.NodeFacts;
import io.sluice.protocol.ProtocolVersion;
import io.sluice.protocol.Snapshot;
import io.sluice.supervisor.Round;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The leader's round without the cluster: 10,000 instances (1,000 deployments of 10) over 100 nodes, from the
 * signed map entries it reads to {@link Round}'s decision: the entries opened (HMAC checked), parsed, and decided,
 * as a steady round and as one with a deployment scaled by +100. Best of {@link #REPEATS} after a warm-up.
 */
final class ReconcileBench {
  static final int NODES = 100;
  static final int DEPLOYMENTS = 1000;
  static final int PER_DEPLOYMENT = 10;
  static final int REPEATS = 15;

  private ReconcileBench() {
  }

  static JsonObject measure() {
    EntryProof proof = new EntryProof("scale-bench-secret");
    Map<String, JsonObject> nodeEntries = new java.util.LinkedHashMap<>();
    Set<String> members = new HashSet<>();
    for (int n = 0; n < NODES; n++) {
      String id = "node-id-" + n;
      members.add(id);
      NodeFacts f = new NodeFacts(id, "node-" + n, "http://127.0.0.1:" + (9000 + n), List.of("router",
          "scorer-host"), List.of("*"), 200, false, List.of("*"), Long.MAX_VALUE, Long.MAX_VALUE, "", "127.0.0.1:1");
      nodeEntries.put(id, proof.seal(Addresses.NODES_MAP, id, f.toJson(), ProtocolVersion.CURRENT));
    }
    List<EndpointDoc> endpoints = new ArrayList<>();
    List<DeploymentDoc> deployments = new ArrayList<>();
    Map<String, JsonObject> instanceEntries = new java.util.LinkedHashMap<>();
    for (int d = 0; d < DEPLOYMENTS; d++) {
      String ep = "ep-" + d / 2;
      if (d % 2 == 0) {
        endpoints.add(EndpointDoc.fromJson(new JsonObject().put("name", ep).put("auth_mode", "key")
            .put("provisioning_state", "Succeeded")));
      }
      deployments.add(DeploymentDoc.fromJson(new JsonObject().put("endpoint_name", ep).put("name", "d" + d % 2)
          .put("provisioning_state", "Succeeded").put("instance_count", PER_DEPLOYMENT)
          .put("instance_type", "Standard_DS3_v2")));
      for (int i = 0; i < PER_DEPLOYMENT; i++) {
        int node = (d * PER_DEPLOYMENT + i) % NODES;
        String id = "d" + d + "-" + i;
        InstanceInfo inst = new InstanceInfo(id, ep, "d" + d % 2, 1, "node-id-" + node, "node-" + node,
            InstanceState.Ready, null, null);
        instanceEntries.put(id, proof.seal(Addresses.INSTANCES_MAP, id, inst.toJson(), ProtocolVersion.CURRENT));
      }
    }
    Snapshot steady = new Snapshot("", endpoints, deployments);
    List<DeploymentDoc> more = new ArrayList<>(deployments);
    more.set(0, more.get(0).withInstanceCount(PER_DEPLOYMENT + 100));
    Snapshot scaled = new Snapshot("", endpoints, more);
    double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
    int spawns = 0;
    for (int r = 0; r < REPEATS + 3; r++) {
      long t0 = System.nanoTime();
      List<InstanceInfo> observed = open(proof, Addresses.INSTANCES_MAP, instanceEntries).stream()
          .map(InstanceInfo::fromJson).toList();
      List<NodeFacts> facts = open(proof, Addresses.NODES_MAP, nodeEntries).stream().map(NodeFacts::fromJson)
          .toList();
      long t1 = System.nanoTime();
      Round.decide(steady, observed, facts, members, Map.of(), Set.of());
      long t2 = System.nanoTime();
      spawns = Round.decide(scaled, observed, facts, members, Map.of(), Set.of()).plan().spawns().size();
      long t3 = System.nanoTime();
      best[0] = Math.min(best[0], (t1 - t0) / 1e6);
      best[1] = Math.min(best[1], (t2 - t1) / 1e6);
      best[2] = Math.min(best[2], (t3 - t2) / 1e6);
    }
    return new JsonObject().put("nodes", NODES).put("instances", DEPLOYMENTS * PER_DEPLOYMENT)
        .put("read_ms", best[0]).put("decide_ms", best[1]).put("decide_plus_100_ms", best[2])
        .put("spawns_plus_100", spawns).put("round_ms", best[0] + Math.max(best[1], best[2]));
  }

  /** The entries as {@code SignedMap} reads them: each one's MAC checked against its key. */
  private static List<JsonObject> open(EntryProof proof, String map, Map<String, JsonObject> entries) {
    List<JsonObject> out = new ArrayList<>(entries.size());
    entries.forEach((key, e) -> {
      JsonObject fact = proof.open(map, key, e);
      if (fact != null) {
        out.add(fact);
      }
    });
    return out;
  }
}
