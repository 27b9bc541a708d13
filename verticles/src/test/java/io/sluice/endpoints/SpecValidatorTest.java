package io.sluice.endpoints;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.protocol.ValidationException;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SpecValidatorTest {
  static final String ID = "sha256:" + "a".repeat(64);

  static JsonObject deployment() {
    return new JsonObject().put("name", "blue").put("endpoint_name", "my-endpoint")
        .put("model", new JsonObject().put("path", ID))
        .put("code_configuration", new JsonObject().put("code", ID).put("scoring_script", "score.py"))
        .put("environment", new JsonObject().put("image", "img").put("conda_file", "name: x"))
        .put("instance_type", "Standard_DS3_v2").put("instance_count", 1);
  }

  @Test
  void azuresDefaultsAreFilledIn() {
    JsonObject d = SpecValidator.deployment(deployment());
    assertThat(d.getJsonObject("request_settings").getMap()).isEqualTo(Map.of("request_timeout_ms", 5000,
        "max_concurrent_requests_per_instance", 1, "max_queue_wait_ms", 500, "max_batch_size", 1,
        "max_batch_wait_ms", 5));
    assertThat(d.getJsonObject("liveness_probe").getMap()).isEqualTo(Map.of("initial_delay", 10, "period", 10,
        "timeout", 2, "success_threshold", 1, "failure_threshold", 30));
    assertThat(d.getJsonObject("scale_settings").getString("type")).isEqualTo("default");
    JsonObject e = SpecValidator.endpoint(new JsonObject().put("name", "my-endpoint")
        .put("$schema", "https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json"));
    assertThat(e.getString("auth_mode")).isEqualTo("key");
  }

  /** Sluice's batching extension: whole numbers, max_batch_size 1-1024, max_batch_wait_ms 0-1000. */
  @Test
  void batchSettingsAreWholeNumbersWithinTheirRanges() {
    JsonObject ok = deployment().put("request_settings", new JsonObject().put("max_batch_size", 1024)
        .put("max_batch_wait_ms", 0));
    assertThat(SpecValidator.deployment(ok).getJsonObject("request_settings").getInteger("max_batch_size"))
        .isEqualTo(1024);
    Map<Object[], String> bad = new java.util.LinkedHashMap<>();
    bad.put(new Object[] {"max_batch_size", 0}, "request_settings.max_batch_size");
    bad.put(new Object[] {"max_batch_size", 1025}, "request_settings.max_batch_size");
    bad.put(new Object[] {"max_batch_size", 2.5}, "request_settings.max_batch_size");
    bad.put(new Object[] {"max_batch_size", "many"}, "request_settings.max_batch_size");
    bad.put(new Object[] {"max_batch_wait_ms", -1}, "request_settings.max_batch_wait_ms");
    bad.put(new Object[] {"max_batch_wait_ms", 1001}, "request_settings.max_batch_wait_ms");
    bad.put(new Object[] {"max_batch_wait_ms", 0.5}, "request_settings.max_batch_wait_ms");
    bad.forEach((field, name) -> assertThatThrownBy(() -> SpecValidator.deployment(deployment().put(
        "request_settings", new JsonObject().put((String) field[0], field[1]))))
        .isInstanceOf(ValidationException.class).hasMessageStartingWith(name + ":"));
  }

  @Test
  void namesFollowAzuresRules() {
    for (String ok : new String[] {"abc", "my-endpoint", "A1-b2", "x".repeat(32)}) {
      SpecValidator.name("name", "an endpoint", ok);
    }
    for (String bad : new String[] {"ab", "x".repeat(33), "1abc", "-abc", "abc-", "a--b", "a_b", "a.b"}) {
      assertThatThrownBy(() -> SpecValidator.name("name", "an endpoint", bad))
          .isInstanceOf(ValidationException.class).hasMessageStartingWith("name: ");
    }
  }

  @Test
  void trafficRules() {
    Set<String> deps = Set.of("blue", "green");
    SpecValidator.traffic(Map.of("blue", 90, "green", 10), Map.of(), deps);
    SpecValidator.traffic(Map.of("blue", 0), Map.of("green", 50), deps);
    SpecValidator.traffic(Map.of("blue", 100), Map.of("green", 0, "blue", 0), deps);
    assertThatThrownBy(() -> SpecValidator.traffic(Map.of("blue", 50), Map.of(), deps)).hasMessageContaining("sum to 50");
    assertThatThrownBy(() -> SpecValidator.traffic(Map.of("red", 100), Map.of(), deps)).hasMessageStartingWith("traffic.red");
    assertThatThrownBy(() -> SpecValidator.traffic(Map.of(), Map.of("green", 51), deps)).hasMessageContaining("50");
    assertThatThrownBy(() -> SpecValidator.traffic(Map.of("blue", 100), Map.of("blue", 10), deps))
        .hasMessageContaining("not both");
    assertThatThrownBy(() -> SpecValidator.traffic(Map.of(), Map.of("blue", 10, "green", 10), deps))
        .hasMessageContaining("at most one");
    assertThatThrownBy(() -> SpecValidator.percentMap("traffic", new JsonObject().put("blue", 1.5)))
        .hasMessageContaining("whole number");
  }

  @Test
  void deploymentFieldErrorsNameTheField() {
    assertThatThrownBy(() -> SpecValidator.deployment(deployment().put("instance_count", 0)))
        .hasMessageStartingWith("instance_count:");
    assertThatThrownBy(() -> SpecValidator.deployment(deployment().put("instance_count", "two")))
        .hasMessageStartingWith("instance_count: must be a whole number");
    assertThatThrownBy(() -> SpecValidator.deployment(deployment().put("colour", "blue")))
        .hasMessageStartingWith("colour: unknown field");
    assertThatThrownBy(() -> SpecValidator.deployment(deployment().put("request_settings",
        new JsonObject().put("request_timeout_ms", 180_001)))).hasMessageStartingWith("request_settings.request_timeout_ms");
    assertThatThrownBy(() -> SpecValidator.deployment(deployment().put("scale_settings",
        new JsonObject().put("type", "manual")))).hasMessageStartingWith("scale_settings.type");
    assertThatThrownBy(() -> SpecValidator.deployment(deployment().put("type", "aks")))
        .hasMessageStartingWith("type: must be 'managed' or 'kubernetes'");
    assertThatThrownBy(() -> SpecValidator.deployment(deployment().put("type", "kubernetes").put("resources",
        new JsonObject().put("limits", new JsonObject().put("memory", "lots")))))
        .hasMessageStartingWith("resources.limits.memory: must be bytes or a quantity");
    assertThatThrownBy(() -> SpecValidator.deployment(deployment().put("type", "kubernetes").put("resources",
        new JsonObject().put("requests", new JsonObject().put("cpu", "-1")))))
        .hasMessageStartingWith("resources.requests.cpu: must be a number of cores");
    assertThatThrownBy(() -> SpecValidator.deployment(deployment().put("request_settings",
        new JsonObject().put("request_timeout_ms", 200_000)))).hasMessageContaining("from 1 to 180000");
    // a Kubernetes deployment: up to 300 s a request, and its instance type may be left out
    JsonObject k8s = SpecValidator.deployment(deployment().put("type", "kubernetes").put("request_settings",
        new JsonObject().put("request_timeout_ms", 300_000)));
    assertThat(k8s.getString("type")).isEqualTo("kubernetes");
    JsonObject noType = deployment().put("type", "kubernetes");
    noType.remove("instance_type");
    assertThat(SpecValidator.deployment(noType).getString("instance_type")).isEqualTo("defaultinstancetype");
    // autoscaled: no instance_count needed
    JsonObject auto = deployment().put("scale_settings", new JsonObject().put("type", "target_utilization")
        .put("max_instances", 4));
    auto.remove("instance_count");
    assertThat(SpecValidator.deployment(auto).getJsonObject("scale_settings").getInteger("max_instances")).isEqualTo(4);
    assertThat(KubernetesRules.memoryBytes("m", "0.1Gi")).isEqualTo(107374182L);
    assertThat(KubernetesRules.memoryBytes("m", "200Mi")).isEqualTo(200L << 20);
    assertThat(KubernetesRules.cpuMillis("c", "0.2")).isEqualTo(200);
    assertThat(KubernetesRules.cpuMillis("c", "500m")).isEqualTo(500);
    assertThatThrownBy(() -> SpecValidator.endpoint(new JsonObject().put("name", "k8s-ep").put("compute", "aks1")))
        .hasMessageStartingWith("compute: must be 'azureml:<compute name>'");
    assertThatThrownBy(() -> SpecValidator.deployment(deployment().put("liveness_probe",
        new JsonObject().put("success_threshold", 2)))).hasMessageStartingWith("liveness_probe.success_threshold");
    assertThatThrownBy(() -> SpecValidator.deployment(deployment().put("model", "my-model")))
        .hasMessageStartingWith("model:");
    assertThatThrownBy(() -> SpecValidator.deployment(deployment().put("environment", new JsonObject())))
        .hasMessageStartingWith("environment:");
    assertThat(AssetRef.environment("azureml://registries/azureml/environments/sklearn-1.5/labels/latest").name())
        .isEqualTo("sklearn-1.5");
    assertThat(AssetRef.model("azureml:my-model:2").key()).isEqualTo("my-model:2");
  }
}
