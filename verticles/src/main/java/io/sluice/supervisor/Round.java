package io.sluice.supervisor;

import io.sluice.protocol.DeploymentDoc;
import io.sluice.protocol.InstanceInfo;
import io.sluice.protocol.NodeFacts;
import io.sluice.protocol.ProvisioningState;
import io.sluice.protocol.Snapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one leader round decides from what it read, before any order goes out: which instances and node entries
 * died with their member, where instances go ({@link Placement}), which orphans to order again, and each settling
 * deployment's outcome. Pure, and linear in instances + deployments + nodes (the scale harness times it at 10,000
 * instances over 100 nodes: docs/capacity.md).
 *
 * @param departed the instances whose member left; {@code departedNodes}: the node entries of members that left
 * @param deployments by key, at the counts the round places ({@code counts}: the autoscalers')
 * @param byId the instances on current members
 * @param outcomes the settling deployments whose outcome is decided
 * @param deleted the Deleting deployments with no instance left
 */
public record Round(List<InstanceInfo> departed, List<String> departedNodes, Map<String, DeploymentDoc> deployments,
                    Placement.Plan plan, List<String> orphans, Map<String, InstanceInfo> byId,
                    Map<String, Outcomes.Settled> outcomes, Set<String> deleted) {

  public static Round decide(Snapshot snap, List<InstanceInfo> observed, List<NodeFacts> nodeFacts, Set<String> members,
                      Map<String, Integer> counts, Set<String> ordered) {
    List<InstanceInfo> alive = new ArrayList<>();
    List<InstanceInfo> departed = new ArrayList<>();
    for (InstanceInfo i : observed) {
      (members.contains(i.nodeId()) ? alive : departed).add(i);
    }
    List<String> departedNodes = nodeFacts.stream().map(NodeFacts::nodeId).filter(id -> !members.contains(id))
        .toList();
    Map<String, DeploymentDoc> deployments = new LinkedHashMap<>();
    for (DeploymentDoc d : snap.deployments()) {
      Integer n = counts.get(d.key());
      deployments.putIfAbsent(d.key(), n == null ? d : d.withInstanceCount(n));
    }
    Map<String, String> computes = new HashMap<>();
    snap.endpoints().forEach(e -> computes.put(e.name(), e.computeName()));
    PlacementInputs in = PlacementInputs.of(deployments.values(), computes, members, nodeFacts, alive,
        snap.drained());
    Placement.Plan plan = Placement.plan(in.desired(), in.nodes(), in.current());
    List<String> orphans = Placement.orphans(in.desired(), in.current(), plan, ordered);
    Map<String, List<InstanceInfo>> byDeployment = new HashMap<>();
    Map<String, InstanceInfo> byId = new HashMap<>();
    for (InstanceInfo i : alive) {
      byDeployment.computeIfAbsent(i.deploymentKey(), k -> new ArrayList<>()).add(i);
      byId.put(i.id(), i);
    }
    Map<String, Outcomes.Settled> outcomes = new LinkedHashMap<>();
    Set<String> deleted = new HashSet<>();
    for (DeploymentDoc d : deployments.values()) {
      List<InstanceInfo> mine = byDeployment.getOrDefault(d.key(), List.of());
      if (d.state() == ProvisioningState.Deleting) {
        if (mine.isEmpty()) {
          deleted.add(d.key());
        }
      } else if (d.state().settling()) {
        Outcomes.Settled s = Outcomes.decide(d, mine, plan.unplaceable().get(d.key()));
        if (s != null) {
          outcomes.put(d.key(), s);
        }
      }
    }
    return new Round(departed, departedNodes, deployments, plan, orphans, byId, outcomes, deleted);
  }
}
