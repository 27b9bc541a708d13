package io.sluice.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Supervisor orders and answers are records on both sides; what is not an order is refused, naming the field. */
class SupervisorOrdersTest {

  @Test
  void ordersAndAnswersComeBackAsSent() {
    InstanceInfo inst = new InstanceInfo("blue-1a2b3c4d", "ep", "blue", 2, "n1", "node-1", InstanceState.Provisioning,
        null, null);
    DeploymentDoc d = DeploymentDoc.fromJson(new JsonObject().put("name", "blue").put("endpoint_name", "ep")
        .put("instance_count", 1));
    SupervisorOrders.Order spawn = SupervisorOrders.fromJson(new SupervisorOrders.Spawn(inst, d).toJson());
    assertThat(spawn).isInstanceOfSatisfying(SupervisorOrders.Spawn.class, s -> {
      assertThat(s.instance()).isEqualTo(inst);
      assertThat(s.deployment().name()).isEqualTo("blue");
    });
    assertThat(SupervisorOrders.fromJson(new SupervisorOrders.Stop("blue-1").toJson()))
        .isEqualTo(new SupervisorOrders.Stop("blue-1"));
    assertThat(SupervisorOrders.fromJson(new SupervisorOrders.Logs("blue-1", 20).toJson()))
        .isEqualTo(new SupervisorOrders.Logs("blue-1", 20));
    assertThat(SupervisorOrders.Spawned.fromJson(new SupervisorOrders.Spawned(false).toJson()).accepted()).isFalse();
    assertThat(SupervisorOrders.Stopped.fromJson(new SupervisorOrders.Stopped(true).toJson()).known()).isTrue();
    assertThat(SupervisorOrders.Stopped.fromJson(new JsonObject()).known()).as("no answer is not known").isFalse();
  }

  @Test
  void whatIsNotAnOrderIsRefusedNamingTheField() {
    assertThatThrownBy(() -> SupervisorOrders.fromJson(new JsonObject().put("op", "reboot")))
        .isInstanceOf(ValidationException.class).hasMessageContaining("op: unknown order 'reboot'");
    assertThatThrownBy(() -> SupervisorOrders.fromJson(new JsonObject().put("op", "logs").put("lines", "many")))
        .isInstanceOf(ValidationException.class).hasMessageContaining("logs: a malformed order");
  }
}
