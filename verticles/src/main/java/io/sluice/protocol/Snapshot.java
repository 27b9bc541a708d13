package io.sluice.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole desired state as routers and the supervisor leader need it: the answer to {@link Ops#SNAPSHOT} on
 * {@link Addresses#ENDPOINTS_INTERNAL}. It holds no usable secret: endpoints carry key hashes
 * ({@link EndpointDoc#forRouters}), and tokens are checked with the public half of the signing key. {@code drained}:
 * the nodes an operator drained.
 */
public record Snapshot(String tokenPublicKey, List<EndpointDoc> endpoints, List<DeploymentDoc> deployments,
                       List<DrainedNode> drained) {

  public Snapshot(String tokenPublicKey, List<EndpointDoc> endpoints, List<DeploymentDoc> deployments) {
    this(tokenPublicKey, endpoints, deployments, List.of());
  }

  public static Snapshot fromJson(JsonObject j) {
    List<EndpointDoc> eps = new ArrayList<>();
    j.getJsonArray("endpoints", new JsonArray()).forEach(o -> eps.add(EndpointDoc.fromJson((JsonObject) o)));
    List<DeploymentDoc> deps = new ArrayList<>();
    j.getJsonArray("deployments", new JsonArray()).forEach(o -> deps.add(DeploymentDoc.fromJson((JsonObject) o)));
    List<DrainedNode> drained = new ArrayList<>();
    j.getJsonArray("drained", new JsonArray()).forEach(o -> drained.add(DrainedNode.fromJson((JsonObject) o)));
    return new Snapshot(j.getString("token_public_key"), eps, deps, drained);
  }

  public JsonObject toJson() {
    JsonArray eps = new JsonArray();
    endpoints.forEach(e -> eps.add(e.toJson()));
    JsonArray deps = new JsonArray();
    deployments.forEach(d -> deps.add(d.toJson()));
    JsonArray out = new JsonArray();
    drained.forEach(d -> out.add(d.toJson()));
    return new JsonObject().put("token_public_key", tokenPublicKey).put("endpoints", eps).put("deployments", deps)
        .put("drained", out);
  }

  /** This snapshot with one endpoint's documents replaced by a change (a null document: the endpoint is gone). */
  public Snapshot with(DesiredChange change) {
    List<EndpointDoc> eps = new ArrayList<>();
    endpoints.stream().filter(e -> !e.name().equals(change.endpoint())).forEach(eps::add);
    if (change.document() != null) {
      eps.add(change.document());
    }
    List<DeploymentDoc> deps = new ArrayList<>();
    deployments.stream().filter(d -> !d.endpoint().equals(change.endpoint())).forEach(deps::add);
    deps.addAll(change.deployments());
    return new Snapshot(tokenPublicKey, eps, deps, drained);
  }

  /** The drained node called {@code name}, or null. */
  public DrainedNode drainedNode(String name) {
    return drained.stream().filter(d -> d.name().equals(name)).findFirst().orElse(null);
  }
}
