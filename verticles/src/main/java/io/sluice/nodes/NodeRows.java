package io.sluice.nodes;

import io.sluice.auth.Versions;
import io.sluice.protocol.DrainedNode;
import io.sluice.protocol.InstanceInfo;
import io.sluice.protocol.NodeFacts;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rows of {@code sluice node list}: one per node, by name. {@code state}: {@code Ready}; {@code Draining}
 * (drained, instances still moving off), {@code Drained} (hosts nothing), {@code Leaving} (stopping),
 * {@code Stopped} (drained and not running), {@code Incompatible} (a node whose protocol version this one cannot
 * speak: it takes no part). {@code load}: instances hosted over capacity. Pure.
 */
public final class NodeRows {
  private NodeRows() {
  }

  public static JsonObject list(List<NodeFacts> nodes, List<InstanceInfo> instances, List<DrainedNode> drained,
                                List<Versions.Met> incompatible) {
    Map<String, Integer> hosted = new HashMap<>();
    instances.forEach(i -> hosted.merge(i.nodeId(), 1, Integer::sum));
    Map<String, DrainedNode> drains = new HashMap<>();
    drained.forEach(d -> drains.put(d.name(), d));
    JsonArray rows = new JsonArray();
    Set<String> named = new HashSet<>();
    nodes.stream().sorted(Comparator.comparing(NodeFacts::name)).forEach(n -> {
      named.add(n.name());
      int count = hosted.getOrDefault(n.nodeId(), 0);
      DrainedNode d = drains.get(n.name());
      String state = n.leaving() ? "Leaving" : d == null ? "Ready" : count > 0 ? "Draining" : "Drained";
      rows.add(new JsonObject().put("name", n.name()).put("node_id", n.nodeId()).put("roles", roles(n))
          .put("address", n.url()).put("version", n.release()).put("protocol", n.protocol())
          .put("instances", count).put("capacity", n.capacity()).put("load", count + "/" + n.capacity())
          .put("state", state).put("drained", d != null).put("routers_drained", d != null && d.routers()));
    });
    drained.stream().filter(d -> !named.contains(d.name())).sorted(Comparator.comparing(DrainedNode::name))
        .forEach(d -> {
          named.add(d.name());
          rows.add(new JsonObject().put("name", d.name()).put("state", "Stopped").put("drained", true)
              .put("routers_drained", d.routers()).put("instances", 0));
        });
    incompatible.stream().filter(m -> m.name() == null || !named.contains(m.name())).forEach(m -> rows.add(
        new JsonObject().put("name", m.name() == null ? m.nodeId() : m.name()).put("node_id", m.nodeId())
            .put("protocol", m.protocol()).put("state", "Incompatible").put("drained", false)));
    return new JsonObject().put("value", rows);
  }

  private static JsonArray roles(NodeFacts n) {
    return new JsonArray(n.roles().isEmpty() ? io.sluice.protocol.NodeRoles.ALL : n.roles());
  }
}
