package io.sluice.nodes;

import io.sluice.supervisor.Placement;
import io.sluice.supervisor.PlacementInputs;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Whether a node can be drained: every deployment with an instance on it must find room elsewhere, as the leader
 * will plan it ({@link Placement#plan} with the node leaving). A drain that would leave a deployment short is
 * refused, naming each deployment and why, and changes nothing. Pure.
 */
public final class DrainCheck {
  private DrainCheck() {
  }

  /** Null when {@code nodeId} can be drained; otherwise why not. */
  public static String refusal(PlacementInputs in, String nodeId, String nodeName) {
    Set<String> hosted = in.current().stream().filter(i -> i.node().equals(nodeId))
        .map(Placement.Instance::deployment).collect(Collectors.toSet());
    if (hosted.isEmpty()) {
      return null;
    }
    PlacementInputs without = in.leaving(nodeId);
    Placement.Plan plan = Placement.plan(without.desired(), without.nodes(), without.current());
    Map<String, String> blocked = new TreeMap<>();
    plan.unplaceable().forEach((deployment, why) -> {
      if (hosted.contains(deployment)) {
        blocked.put(deployment, why);
      }
    });
    if (blocked.isEmpty()) {
      return null;
    }
    StringBuilder b = new StringBuilder("node '" + nodeName + "' cannot be drained: no other node has room for its "
        + "instances (");
    blocked.forEach((d, why) -> b.append(d).append(": ").append(why).append("; "));
    b.setLength(b.length() - 2);
    return b.append("). Nothing changed; add a node or free capacity, then drain again").toString();
  }
}
