package io.sluice.supervisor;

import io.sluice.protocol.DeploymentDoc;
import io.sluice.protocol.DrainedNode;
import io.sluice.protocol.InstanceInfo;
import io.sluice.protocol.NodeFacts;
import io.sluice.protocol.ProvisioningState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@link Placement}'s inputs from the cluster's documents: what is desired, where it may go, what is there. A node
 * that is leaving (SIGTERM) or drained by an operator takes no instance, and its instances are placed elsewhere
 * before they stop. Used by the leader's rounds and by the drain check. Pure.
 */
public record PlacementInputs(List<Placement.Desired> desired, List<Placement.Node> nodes,
                              List<Placement.Instance> current) {

  public static PlacementInputs of(Iterable<DeploymentDoc> deployments, Map<String, String> computes,
                                   Set<String> members, List<NodeFacts> nodeFacts, List<InstanceInfo> alive,
                                   List<DrainedNode> drained) {
    Set<String> drainedNames = drained.stream().map(DrainedNode::name).collect(Collectors.toSet());
    List<Placement.Desired> desired = new ArrayList<>();
    for (DeploymentDoc d : deployments) {
      if (d.state() != ProvisioningState.Deleting) {
        desired.add(new Placement.Desired(d.key(), d.specVersion(), d.instanceCount(), d.instanceType(),
            computes.get(d.endpoint()), new Placement.Resources(d.cpuRequestMillis(), d.memoryRequestBytes())));
      }
    }
    List<Placement.Node> placeNodes = nodeFacts.stream().filter(n -> members.contains(n.nodeId()))
        .map(n -> new Placement.Node(n.nodeId(), Set.copyOf(n.instanceTypes()), n.capacity(),
            n.leaving() || drainedNames.contains(n.name()), Set.copyOf(n.computes()),
            new Placement.Resources(n.cpuMillis(), n.memoryBytes())))
        .toList();
    List<Placement.Instance> current = alive.stream().map(i -> new Placement.Instance(i.id(), i.deploymentKey(),
        i.specVersion(), i.nodeId(), i.state())).toList();
    return new PlacementInputs(desired, placeNodes, current);
  }

  /** The same inputs with one more node leaving. */
  public PlacementInputs leaving(String nodeId) {
    return new PlacementInputs(desired, nodes.stream().map(n -> !n.id().equals(nodeId) ? n
        : new Placement.Node(n.id(), n.instanceTypes(), n.capacity(), true, n.computes(), n.declared())).toList(),
        current);
  }
}
