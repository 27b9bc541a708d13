package io.sluice.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.protocol.DeploymentDoc;
import io.sluice.protocol.EndpointDoc;
import io.sluice.protocol.InstanceInfo;
import io.sluice.protocol.InstanceState;
import io.sluice.protocol.Snapshot;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutingTableTest {
  /** blue with max_concurrent 2: blue-l on this router's node n1, blue-r1 and blue-r2 on n2. */
  private static RoutingTable.DeploymentRoute blue(String localNode) {
    EndpointDoc ep = EndpointDoc.fromJson(new JsonObject().put("name", "ep").put("auth_mode", "key")
        .put("keys", new JsonObject().put("primary", "k1").put("secondary", "k2"))
        .put("traffic", new JsonObject().put("blue", 100)));
    DeploymentDoc d = DeploymentDoc.fromJson(new JsonObject().put("name", "blue").put("endpoint_name", "ep")
        .put("instance_count", 3).put("request_settings", new JsonObject()
            .put("max_concurrent_requests_per_instance", 2)));
    List<InstanceInfo> observed = List.of(instance("blue-l", "n1"), instance("blue-r1", "n2"),
        instance("blue-r2", "n2"));
    return RoutingTable.build(new Snapshot("s", List.of(ep), List.of(d)), observed, RoutingTable.EMPTY, localNode)
        .endpoints.get("ep").deployments.get("blue");
  }

  private static InstanceInfo instance(String id, String node) {
    return new InstanceInfo(id, "ep", "blue", 1, node, "node-" + node, InstanceState.Ready, null, null);
  }

  /** Picks one, as the dispatcher does, and counts it in flight. */
  private static String take(RoutingTable.DeploymentRoute r, Map<String, int[]> flight) {
    String id = r.pickInstance(flight, null);
    flight.computeIfAbsent(id, k -> new int[1])[0]++;
    return id;
  }

  @Test
  void theLocalInstanceIsChosenWhileItHasRoomAndTheRestSpillsToTheLeastBusy() {
    RoutingTable.DeploymentRoute r = blue("n1");
    Map<String, int[]> flight = new HashMap<>();
    assertThat(take(r, flight)).isEqualTo("blue-l");
    assertThat(take(r, flight)).isEqualTo("blue-l"); // 2 in flight: max_concurrent reached
    String third = take(r, flight);
    String fourth = take(r, flight);
    assertThat(List.of(third, fourth)).containsExactlyInAnyOrder("blue-r1", "blue-r2");
    // overloaded: every instance takes its turn, the remote ones are not starved
    for (int i = 0; i < 9; i++) {
      take(r, flight);
    }
    assertThat(flight.values()).allSatisfy(f -> assertThat(f[0]).as("13 requests over 3 instances").isBetween(4, 5));
    flight.get("blue-l")[0] = 1; // one answered: the local instance has room again
    assertThat(r.pickInstance(flight, null)).isEqualTo("blue-l");
    assertThat(r.pickInstance(flight, "blue-l")).isNotEqualTo("blue-l"); // a refusal is tried elsewhere
  }

  @Test
  void withoutALocalInstanceTheLeastBusyIsChosenRoundRobin() {
    RoutingTable.DeploymentRoute r = blue("n9");
    Map<String, int[]> flight = new HashMap<>();
    assertThat(List.of(take(r, flight), take(r, flight), take(r, flight)))
        .containsExactlyInAnyOrder("blue-l", "blue-r1", "blue-r2");
  }
}
