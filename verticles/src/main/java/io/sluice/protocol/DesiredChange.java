package io.sluice.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * One endpoint's new desired state, sent by the endpoint-manager to every router ({@link Addresses#router}) before
 * it answers its caller. A null document means the endpoint no longer exists.
 */
public record DesiredChange(String endpoint, EndpointDoc document, List<DeploymentDoc> deployments) {

  public static DesiredChange fromJson(JsonObject j) {
    List<DeploymentDoc> deps = new ArrayList<>();
    j.getJsonArray("deployments", new JsonArray()).forEach(o -> deps.add(DeploymentDoc.fromJson((JsonObject) o)));
    JsonObject doc = j.getJsonObject("document");
    return new DesiredChange(j.getString("endpoint"), doc == null ? null : EndpointDoc.fromJson(doc), deps);
  }

  public JsonObject toJson() {
    JsonArray deps = new JsonArray();
    deployments.forEach(d -> deps.add(d.toJson()));
    return new JsonObject().put(Events.TYPE, Events.DESIRED_CHANGED).put("endpoint", endpoint)
        .put("document", document == null ? null : document.toJson()).put("deployments", deps);
  }
}
