package io.sluice.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.protocol.InstanceState;
import io.sluice.supervisor.Placement.Desired;
import io.sluice.supervisor.Placement.Instance;
import io.sluice.supervisor.Placement.Node;
import io.sluice.supervisor.Placement.Plan;
import io.sluice.supervisor.Placement.Spawn;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlacementTest {
  static final List<Node> THREE = List.of(new Node("a", Set.of("*"), 10), new Node("b", Set.of("*"), 10),
      new Node("c", Set.of("*"), 10));

  private static Map<String, Integer> perNode(List<Spawn> spawns) {
    Map<String, Integer> m = new HashMap<>();
    spawns.forEach(s -> m.merge(s.node(), 1, Integer::sum));
    return m;
  }

  @Test
  void spreadsEvenlyOverEligibleNodes() {
    Plan p = Placement.plan(List.of(new Desired("e/blue", 1, 6, "Standard_DS3_v2")), THREE, List.of());
    assertThat(perNode(p.spawns())).isEqualTo(Map.of("a", 2, "b", 2, "c", 2));
    assertThat(p.stops()).isEmpty();
  }

  @Test
  void keepsWhatRunsAndFillsTheEmptiestNode() {
    List<Instance> running = List.of(new Instance("i1", "e/blue", 1, "a", InstanceState.Ready),
        new Instance("i2", "e/blue", 1, "a", InstanceState.Ready));
    Plan p = Placement.plan(List.of(new Desired("e/blue", 1, 3, "x")), THREE, running);
    assertThat(p.stops()).isEmpty();
    assertThat(p.spawns()).hasSize(1);
    assertThat(p.spawns().get(0).node()).isIn("b", "c");
  }

  @Test
  void scaleDownStopsFromTheBusiestNodeAndPrefersNotReady() {
    List<Instance> running = List.of(new Instance("i1", "e/blue", 1, "a", InstanceState.Ready),
        new Instance("i2", "e/blue", 1, "a", InstanceState.Ready),
        new Instance("i3", "e/blue", 1, "b", InstanceState.Starting),
        new Instance("i4", "e/blue", 1, "c", InstanceState.Ready));
    Plan p = Placement.plan(List.of(new Desired("e/blue", 1, 2, "x")), THREE, running);
    assertThat(p.spawns()).isEmpty();
    assertThat(p.stops()).containsExactly("i3", "i1");
  }

  @Test
  void scaleDownLeavesTheRestSpread() {
    List<Instance> running = new ArrayList<>();
    for (String n : List.of("a", "b", "c")) {
      running.add(new Instance(n + "1", "e/blue", 1, n, InstanceState.Ready));
      running.add(new Instance(n + "2", "e/blue", 1, n, InstanceState.Ready));
    }
    for (int keep = 1; keep <= 3; keep++) {
      Plan p = Placement.plan(List.of(new Desired("e/blue", 1, keep, "x")), THREE, running);
      Map<String, Integer> left = new HashMap<>();
      running.stream().filter(i -> !p.stops().contains(i.id())).forEach(i -> left.merge(i.node(), 1, Integer::sum));
      assertThat(left.values()).as("keep %d: %s", keep, left).allMatch(v -> v == 1);
    }
  }

  @Test
  void respectsInstanceTypesAndCapacity() {
    List<Node> nodes = List.of(new Node("gpu", Set.of("Standard_NC6"), 1), new Node("cpu", Set.of("Standard_DS3_v2"), 5));
    Plan p = Placement.plan(List.of(new Desired("e/g", 1, 2, "standard_nc6")), nodes, List.of());
    assertThat(p.spawns()).extracting(Spawn::node).containsExactly("gpu");
    assertThat(p.unplaceable().get("e/g")).contains("free capacity");
    Plan none = Placement.plan(List.of(new Desired("e/t", 1, 1, "Standard_TPU")), nodes, List.of());
    assertThat(none.spawns()).isEmpty();
    assertThat(none.unplaceable().get("e/t")).isEqualTo("no node offers instance_type Standard_TPU");
  }

  @Test
  void rollingUpdateSurgesAtMostTwentyPercentAndStopsOldOnlyForReadyNew() {
    List<Instance> state = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      state.add(new Instance("old" + i, "e/blue", 1, THREE.get(i % 3).id(), InstanceState.Ready));
    }
    Plan first = Placement.plan(List.of(new Desired("e/blue", 2, 10, "x")), THREE, state);
    assertThat(first.spawns()).hasSize(2); // surge = max(1, 20% of 10)
    assertThat(first.stops()).isEmpty(); // no new instance is ready yet
    state.add(new Instance("new0", "e/blue", 2, "a", InstanceState.Ready));
    state.add(new Instance("new1", "e/blue", 2, "b", InstanceState.Starting));
    Plan second = Placement.plan(List.of(new Desired("e/blue", 2, 10, "x")), THREE, state);
    assertThat(second.stops()).hasSize(1).allMatch(id -> id.startsWith("old"));
    assertThat(second.spawns()).isEmpty(); // 12 instances = 10 + surge already
  }

  @Test
  void aFailedNewVersionStallsTheRolloutAndKeepsOldServing() {
    List<Instance> state = List.of(new Instance("old0", "e/blue", 1, "a", InstanceState.Ready),
        new Instance("new0", "e/blue", 2, "b", InstanceState.Failed));
    Plan p = Placement.plan(List.of(new Desired("e/blue", 2, 1, "x")), THREE, state);
    assertThat(p.spawns()).isEmpty();
    assertThat(p.stops()).isEmpty();
  }

  @Test
  void aFailedInstanceIsNotRespawnedInALoop() {
    Plan p = Placement.plan(List.of(new Desired("e/blue", 1, 1, "x")), THREE,
        List.of(new Instance("f", "e/blue", 1, "a", InstanceState.Failed)));
    assertThat(p.spawns()).isEmpty();
    assertThat(p.stops()).isEmpty();
  }

  @Test
  void unwantedDeploymentsAreStopped() {
    Plan p = Placement.plan(List.of(), THREE, List.of(new Instance("x", "e/gone", 1, "a", InstanceState.Ready)));
    assertThat(p.stops()).containsExactly("x");
  }

  @Test
  void anInstanceAnEarlierLeaderWroteButNeverOrderedIsOrderedAgainOnce() {
    List<Instance> seen = List.of(new Instance("ready", "e/blue", 2, "a", InstanceState.Ready),
        new Instance("orphan", "e/blue", 2, "b", InstanceState.Provisioning),
        new Instance("mine", "e/blue", 2, "c", InstanceState.Provisioning),
        new Instance("starting", "e/blue", 2, "c", InstanceState.Starting),
        new Instance("old", "e/blue", 1, "a", InstanceState.Provisioning),
        new Instance("gone-deployment", "e/red", 1, "a", InstanceState.Provisioning));
    List<Desired> desired = List.of(new Desired("e/blue", 2, 4, "x"));
    Plan p = Placement.plan(desired, THREE, seen);
    // counted as placed: nothing new is spawned for it
    assertThat(p.spawns()).isEmpty();
    assertThat(Placement.orphans(desired, seen, p, Set.of("mine"))).containsExactly("orphan");
    // once this leader has ordered it, it is not ordered again
    assertThat(Placement.orphans(desired, seen, p, Set.of("mine", "orphan"))).isEmpty();
    // a surplus Provisioning instance is stopped, not started
    List<Desired> fewer = List.of(new Desired("e/blue", 2, 2, "x"));
    Plan shrink = Placement.plan(fewer, THREE, seen);
    assertThat(shrink.stops()).contains("orphan");
    assertThat(Placement.orphans(fewer, seen, shrink, Set.of())).doesNotContain("orphan");
  }

  @Test
  void requestsCountAgainstWhatNodesDeclareAndTheMissingResourceIsNamed() {
    Placement.Resources twoCores = new Placement.Resources(2000, 8L << 30);
    List<Node> nodes = List.of(new Node("a", Set.of("*"), 10, false, Set.of("*"), twoCores),
        new Node("b", Set.of("*"), 10, false, Set.of("*"), twoCores));
    Desired half = new Desired("e/blue", 1, 6, "x", null, new Placement.Resources(500, 1L << 30));
    Plan p = Placement.plan(List.of(half), nodes, List.of());
    // 4 x 0.5 cores per node: 8 fit, 6 asked
    assertThat(perNode(p.spawns())).isEqualTo(Map.of("a", 3, "b", 3));
    Desired big = new Desired("e/blue", 1, 10, "x", null, new Placement.Resources(500, 1L << 30));
    Plan full = Placement.plan(List.of(big), nodes, List.of());
    assertThat(full.spawns()).hasSize(8);
    assertThat(full.unplaceable().get("e/blue")).startsWith("resources.requests.cpu: no node offering")
        .contains("500m cpu free for 2 more instance(s)");
    // what runs counts too; and memory is named when it is memory that lacks
    List<Instance> running = List.of(new Instance("i1", "e/red", 1, "a", InstanceState.Ready));
    Desired red = new Desired("e/red", 1, 1, "x", null, new Placement.Resources(0, 6L << 30));
    Desired green = new Desired("e/green", 1, 2, "x", null, new Placement.Resources(100, 5L << 30));
    Plan mem = Placement.plan(List.of(red, green), nodes, running);
    assertThat(mem.spawns()).extracting(Spawn::node).containsExactly("b");
    assertThat(mem.unplaceable().get("e/green")).startsWith("resources.requests.memory")
        .contains("5120 MiB memory free for 1 more instance(s)");
  }
}
