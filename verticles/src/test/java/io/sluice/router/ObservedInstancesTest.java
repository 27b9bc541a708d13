package io.sluice.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.protocol.InstanceInfo;
import io.sluice.protocol.InstanceState;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class ObservedInstancesTest {
  private static InstanceInfo at(String id, InstanceState s) {
    return InstanceInfo.fromJson(new JsonObject().put("id", id).put("endpoint", "e").put("deployment", "d")
        .put("spec_version", 1).put("node_id", "n1").put("node", "a").put("state", s.name()));
  }

  private static String states(ObservedInstances o) {
    return o.all().stream().sorted(java.util.Comparator.comparing(InstanceInfo::id))
        .map(i -> i.id() + "=" + i.state()).toList().toString();
  }

  /** CI saw it: a map read answered after a Draining event made the instance Ready again, and it was sent requests. */
  @Test
  void anOlderReadOrALateEventNeverBringsADrainingInstanceBack() {
    ObservedInstances o = new ObservedInstances();
    o.event(at("x", InstanceState.Ready));
    o.event(at("x", InstanceState.Draining));
    o.merge(List.of(at("x", InstanceState.Ready), at("y", InstanceState.Ready)));
    assertThat(states(o)).isEqualTo("[x=Draining, y=Ready]");
    o.event(at("x", InstanceState.Ready));
    assertThat(states(o)).isEqualTo("[x=Draining, y=Ready]");
    o.event(at("x", InstanceState.Gone));
    assertThat(states(o)).isEqualTo("[y=Ready]");
  }

  @Test
  void aReadBringsNewsOfInstancesAndTheirNewerStates() {
    ObservedInstances o = new ObservedInstances();
    o.event(at("x", InstanceState.Starting));
    o.merge(List.of(at("x", InstanceState.Ready), at("z", InstanceState.Ready)));
    assertThat(states(o)).isEqualTo("[x=Ready, z=Ready]");
    o.event(at("z", InstanceState.Failed));
    o.nodeGone("n1");
    assertThat(states(o)).isEqualTo("[]");
  }
}
