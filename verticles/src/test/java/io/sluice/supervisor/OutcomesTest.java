package io.sluice.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.protocol.DeploymentDoc;
import io.sluice.protocol.InstanceInfo;
import io.sluice.protocol.InstanceState;
import io.sluice.protocol.ProvisioningState;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutcomesTest {
  static DeploymentDoc doc(ProvisioningState state, int version, int count) {
    return DeploymentDoc.fromJson(new JsonObject().put("name", "blue").put("endpoint_name", "ep")
        .put("provisioning_state", state.name()).put("spec_version", version).put("instance_count", count));
  }

  static InstanceInfo inst(String id, int version, InstanceState state) {
    return new InstanceInfo(id, "ep", "blue", version, "n1", "node-1", state, state == InstanceState.Failed
        ? "init() failed" : null, null);
  }

  @Test
  void succeedsOnlyWithAllReadyAndNoOldVersionLeft() {
    DeploymentDoc d = doc(ProvisioningState.Updating, 2, 2);
    assertThat(Outcomes.decide(d, List.of(inst("a", 2, InstanceState.Ready)), null)).isNull();
    assertThat(Outcomes.decide(d, List.of(inst("a", 2, InstanceState.Ready), inst("b", 2, InstanceState.Ready),
        inst("c", 1, InstanceState.Draining)), null)).as("an old instance still drains").isNull();
    assertThat(Outcomes.decide(d, List.of(inst("a", 2, InstanceState.Ready), inst("b", 2, InstanceState.Ready)),
        null)).isEqualTo(new Outcomes.Settled(ProvisioningState.Succeeded, null));
  }

  @Test
  void failsOnAFailedInstanceOfTheCurrentVersionOrWhenUnplaceable() {
    DeploymentDoc d = doc(ProvisioningState.Creating, 1, 2);
    Outcomes.Settled failed = Outcomes.decide(d, List.of(inst("a", 1, InstanceState.Failed)), null);
    assertThat(failed.state()).isEqualTo(ProvisioningState.Failed);
    assertThat(failed.reason()).contains("instance a on node-1 failed: init() failed");
    assertThat(Outcomes.decide(doc(ProvisioningState.Updating, 2, 1), List.of(inst("a", 1, InstanceState.Failed)),
        null)).as("an old version's failure says nothing about the new one").isNull();
    assertThat(Outcomes.decide(d, List.of(), "no node offers gpu").reason()).isEqualTo("no node offers gpu");
  }

  @Test
  void settledOrDeletingDeploymentsGetNoReport() {
    assertThat(Outcomes.decide(doc(ProvisioningState.Succeeded, 1, 1), List.of(inst("a", 1, InstanceState.Failed)),
        null)).isNull();
    assertThat(Outcomes.decide(doc(ProvisioningState.Deleting, 1, 0), List.of(), null)).isNull();
  }
}
