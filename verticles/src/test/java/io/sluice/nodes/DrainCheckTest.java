package io.sluice.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.auth.Versions;
import io.sluice.protocol.DrainedNode;
import io.sluice.protocol.InstanceInfo;
import io.sluice.protocol.InstanceState;
import io.sluice.protocol.NodeFacts;
import io.sluice.supervisor.Placement;
import io.sluice.supervisor.PlacementInputs;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DrainCheckTest {
  static Placement.Node node(String id, int capacity, boolean leaving) {
    return new Placement.Node(id, Set.of("*"), capacity, leaving);
  }

  static Placement.Instance on(String id, String deployment, String node) {
    return new Placement.Instance(id, deployment, 1, node, InstanceState.Ready);
  }

  @Test
  void aNodeWhoseInstancesFitElsewhereCanBeDrained() {
    PlacementInputs in = new PlacementInputs(List.of(new Placement.Desired("e/blue", 1, 2, "x")),
        List.of(node("a", 2, false), node("b", 2, false)), List.of(on("i1", "e/blue", "a"), on("i2", "e/blue", "b")));
    assertThat(DrainCheck.refusal(in, "a", "node-a")).isNull();
    assertThat(DrainCheck.refusal(in, "c", "node-c")).as("hosts nothing").isNull();
  }

  @Test
  void aDrainWithoutRoomNamesEachDeploymentAndWhy() {
    PlacementInputs in = new PlacementInputs(List.of(new Placement.Desired("e/blue", 1, 2, "x"),
        new Placement.Desired("e/green", 1, 1, "x")),
        List.of(node("a", 2, false), node("b", 1, false)),
        List.of(on("i1", "e/blue", "a"), on("i2", "e/blue", "b"), on("i3", "e/green", "a")));
    String why = DrainCheck.refusal(in, "a", "node-a");
    assertThat(why).startsWith("node 'node-a' cannot be drained").contains("e/blue: no node offering instance_type x "
        + "has free capacity").contains("e/green:").endsWith("Nothing changed; add a node or free capacity, then "
        + "drain again");
  }

  @Test
  void anotherDrainedNodeOffersNoRoom() {
    PlacementInputs in = new PlacementInputs(List.of(new Placement.Desired("e/blue", 1, 1, "x")),
        List.of(node("a", 2, false), node("b", 2, true)), List.of(on("i1", "e/blue", "a")));
    assertThat(DrainCheck.refusal(in, "a", "node-a")).contains("e/blue");
  }

  @Test
  void rowsSayWhatEachNodeIsDoing() {
    NodeFacts a = facts("a", "node-a", false, 2);
    NodeFacts b = facts("b", "node-b", false, 2);
    NodeFacts c = facts("c", "node-c", true, 1);
    List<InstanceInfo> running = List.of(new InstanceInfo("e1", "e", "blue", 1, "a", "node-a", InstanceState.Ready,
        null, null), new InstanceInfo("e2", "e", "blue", 1, "b", "node-b", InstanceState.Ready, null, null));
    JsonArray rows = NodeRows.list(List.of(c, b, a), running, List.of(new DrainedNode("node-b", true, 5),
        new DrainedNode("node-x", false, 6), new DrainedNode("node-a2", false, 7)),
        List.of(new Versions.Met("z", "node-z", 3, 0))).getJsonArray("value");
    assertThat(rows.stream().map(o -> ((JsonObject) o).getString("name") + "=" + ((JsonObject) o).getString("state"))
        .toList()).containsExactly("node-a=Ready", "node-b=Draining", "node-c=Leaving", "node-a2=Stopped",
        "node-x=Stopped", "node-z=Incompatible");
    JsonObject bRow = rows.getJsonObject(1);
    assertThat(bRow.getBoolean("routers_drained")).isTrue();
    assertThat(bRow.getString("load")).isEqualTo("1/2");
    assertThat(rows.getJsonObject(5).getInteger("protocol")).isEqualTo(3);
  }

  static NodeFacts facts(String id, String name, boolean leaving, int protocol) {
    return new NodeFacts(id, name, "http://" + name, List.of(), List.of("*"), 2, leaving, List.of("*"), 1, 1, "", "",
        "0.1.0 (abc)", protocol);
  }
}
