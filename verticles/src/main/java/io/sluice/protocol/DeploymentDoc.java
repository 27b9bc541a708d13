package io.sluice.protocol;

import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A deployment's desired state as stored and as sent to routers, the supervisor leader and scorers. The fields the
 * cluster acts on are typed; {@code spec} holds the rest of Azure's validated YAML (model, code_configuration,
 * environment, environment_variables, probes, description, tags, ...), passed through unchanged.
 */
public record DeploymentDoc(String endpoint, String name, ProvisioningState state, int specVersion, int revision,
                            int instanceCount, String instanceType, RequestSettings requestSettings,
                            Resolved resolved, boolean allTrafficPending, String statusReason, String createdAt,
                            JsonObject spec) {

  /** Asset references resolved to what a scorer loads: uploaded file ids and the environment name. */
  public record Resolved(String modelFile, String codeFile, String environment) {
    static Resolved fromJson(JsonObject j) {
      return j == null ? null : new Resolved(j.getString("model_file"), j.getString("code_file"),
          j.getString("environment"));
    }

    JsonObject toJson() {
      return new JsonObject().put("model_file", modelFile).put("code_file", codeFile).put("environment", environment);
    }
  }

  private static final List<String> TYPED = List.of("endpoint_name", "name", "provisioning_state", "spec_version",
      "revision", "instance_count", "instance_type", "request_settings", "resolved", "all_traffic_pending",
      "status_reason", "created_at");

  public static DeploymentDoc fromJson(JsonObject j) {
    JsonObject spec = j.copy();
    TYPED.forEach(spec::remove);
    return new DeploymentDoc(j.getString("endpoint_name"), j.getString("name"),
        ProvisioningState.of(j.getString("provisioning_state")), j.getInteger("spec_version", 1),
        j.getInteger("revision", 1), j.getInteger("instance_count", 1), j.getString("instance_type"),
        RequestSettings.fromJson(j.getJsonObject("request_settings")), Resolved.fromJson(j.getJsonObject("resolved")),
        j.getBoolean("all_traffic_pending", false), j.getString("status_reason"), j.getString("created_at"), spec);
  }

  /** The whole document, as stored. */
  public JsonObject toJson() {
    JsonObject j = spec.copy().put("name", name).put("endpoint_name", endpoint)
        .put("provisioning_state", state.name()).put("spec_version", specVersion).put("revision", revision)
        .put("instance_count", instanceCount).put("instance_type", instanceType)
        .put("request_settings", requestSettings.toJson()).put("all_traffic_pending", allTrafficPending)
        .put("created_at", createdAt);
    if (resolved != null) {
      j.put("resolved", resolved.toJson());
    }
    if (statusReason != null) {
      j.put("status_reason", statusReason);
    }
    return j;
  }

  /** What {@code show} prints: no internal fields. */
  public JsonObject toView() {
    JsonObject v = toJson();
    v.remove("resolved");
    v.remove("all_traffic_pending");
    v.put("type", spec.getString("type", "managed"));
    return v;
  }

  public String key() {
    return key(endpoint, name);
  }

  /** "endpoint/deployment": the store key of a deployment and the key the actors count by. */
  public static String key(String endpoint, String deployment) {
    return endpoint + "/" + deployment;
  }

  /** The same deployment run at {@code count} instances (the autoscaler's count). */
  public DeploymentDoc withInstanceCount(int count) {
    return new DeploymentDoc(endpoint, name, state, specVersion, revision, count, instanceType, requestSettings,
        resolved, allTrafficPending, statusReason, createdAt, spec);
  }

  /** {@code resources.limits.memory} in bytes; 0 when there is none. */
  public long memoryLimitBytes() {
    Object v = resources("limits").getValue("memory");
    return v == null ? 0 : Quantities.memoryBytes("resources.limits.memory", v);
  }

  /** {@code resources.limits.cpu} in thousandths of a core; 0 when there is none. */
  public long cpuLimitMillis() {
    Object v = resources("limits").getValue("cpu");
    return v == null ? 0 : Quantities.cpuMillis("resources.limits.cpu", v);
  }

  /** {@code resources.requests.cpu} in thousandths of a core; 0 when there is none. */
  public long cpuRequestMillis() {
    Object v = resources("requests").getValue("cpu");
    return v == null ? 0 : Quantities.cpuMillis("resources.requests.cpu", v);
  }

  /** {@code resources.requests.memory} in bytes; 0 when there is none. */
  public long memoryRequestBytes() {
    Object v = resources("requests").getValue("memory");
    return v == null ? 0 : Quantities.memoryBytes("resources.requests.memory", v);
  }

  private JsonObject resources(String part) {
    return spec.getJsonObject("resources", new JsonObject()).getJsonObject(part, new JsonObject());
  }

  public ScaleSettings scaleSettings() {
    return ScaleSettings.fromJson(spec.getJsonObject("scale_settings"));
  }

  public DeploymentDoc withState(ProvisioningState next, String reason) {
    return new DeploymentDoc(endpoint, name, next, specVersion, revision, instanceCount, instanceType,
        requestSettings, resolved, allTrafficPending, reason, createdAt, spec);
  }

  public DeploymentDoc withAllTrafficPending(boolean pending) {
    return new DeploymentDoc(endpoint, name, state, specVersion, revision, instanceCount, instanceType,
        requestSettings, resolved, pending, statusReason, createdAt, spec);
  }

  // ---- what a scorer reads from the passed-through spec ----

  public String scoringScript() {
    return spec.getJsonObject("code_configuration", new JsonObject()).getString("scoring_script");
  }

  public Map<String, String> environmentVariables() {
    Map<String, String> env = new HashMap<>();
    spec.getJsonObject("environment_variables", new JsonObject()).forEach(e ->
        env.put(e.getKey(), String.valueOf(e.getValue())));
    return env;
  }

  public JsonObject livenessProbe() {
    return spec.getJsonObject("liveness_probe");
  }

  public JsonObject readinessProbe() {
    return spec.getJsonObject("readiness_probe");
  }
}
