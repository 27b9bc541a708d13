package io.sluice.protocol;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One scorer instance as the cluster sees it: the value of {@link Addresses#INSTANCES_MAP} and of instance events.
 * The leader decides id, deployment, spec version and node; the instance itself writes state, reason and since.
 */
public record InstanceInfo(String id, String endpoint, String deployment, int specVersion, String nodeId, String node,
                           InstanceState state, String reason, String since) {

  public static InstanceInfo fromJson(JsonObject j) {
    return new InstanceInfo(j.getString("id"), j.getString("endpoint"), j.getString("deployment"),
        j.getInteger("spec_version", 1), j.getString("node_id"), j.getString("node"),
        InstanceState.valueOf(j.getString("state", InstanceState.Provisioning.name())), j.getString("reason"),
        j.getString("since"));
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("endpoint", endpoint).put("deployment", deployment)
        .put("spec_version", specVersion).put("node_id", nodeId).put("node", node).put("state", state.name())
        .put("reason", reason).put("since", since);
  }

  /** The same instance in another state, stamped now. */
  public InstanceInfo with(InstanceState next, String why) {
    return new InstanceInfo(id, endpoint, deployment, specVersion, nodeId, node, next, why, Instant.now().toString());
  }

  /** "endpoint/deployment", the key the supervisor and the router count by. */
  public String deploymentKey() {
    return DeploymentDoc.key(endpoint, deployment);
  }

  public boolean of(String endpointName, String deploymentName) {
    return endpoint.equals(endpointName) && deployment.equals(deploymentName);
  }
}
