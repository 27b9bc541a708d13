package io.sluice.endpoints;

import io.sluice.protocol.DeploymentDoc;
import io.sluice.protocol.EndpointDoc;
import io.sluice.protocol.Errors;
import io.sluice.protocol.InstanceInfo;
import io.sluice.protocol.NodeFacts;
import io.sluice.protocol.ProvisioningState;
import io.sluice.protocol.RequestSettings;
import io.sluice.protocol.ScaleSettings;
import io.sluice.protocol.ValidationException;
import io.sluice.store.Store;
import io.sluice.store.Store.Write;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Deployments: create, update (a new spec version when what the scorers run changed), delete, and the outcomes the
 * supervisor leader reports. A plain class over the {@link Store}: blocking, no Vert.x; the caller holds the
 * endpoint's cluster lock around each change.
 */
public final class DeploymentService {
  /** Deployment fields whose change replaces the instances (a new spec version, rolled out with surge). */
  static final List<String> VERSIONED_FIELDS = List.of("model", "code_configuration", "environment",
      "environment_variables", "instance_type", "request_settings", "liveness_probe", "readiness_probe");

  private final Store store;
  private final AssetRegistry assets;
  private final EndpointService endpoints;

  public DeploymentService(Store store, AssetRegistry assets, EndpointService endpoints) {
    this.store = store;
    this.assets = assets;
    this.endpoints = endpoints;
  }

  /** Azure's rules for a deployment's spec; checked before the lock is taken. */
  public static JsonObject validate(JsonObject raw) {
    return SpecValidator.deployment(raw);
  }

  /**
   * A deployment's instance_type must be offered by some node that hosts instances.
   */
  public static void requireOffered(String type, Collection<NodeFacts> nodes) {
    Set<String> offered = new TreeSet<>();
    for (NodeFacts n : nodes) {
      if (n.hosts()) {
        offered.addAll(n.instanceTypes());
      }
    }
    if (!offered.contains("*") && offered.stream().noneMatch(t -> t.equalsIgnoreCase(type))) {
      throw new ValidationException("instance_type: no node of the cluster offers '" + type + "' (offered: "
          + (offered.isEmpty() ? "none; start a node with the scorer-host role" : String.join(", ", offered)) + ")");
    }
  }

  public JsonObject create(JsonObject spec, boolean allTraffic) throws Exception {
    String ep = spec.getString("endpoint_name");
    String name = spec.getString("name");
    EndpointDoc endpoint = endpoints.load(ep);
    EndpointService.requireNotDeleting(endpoint.state(), "endpoint '" + ep + "'");
    if (store.get(Store.DEPLOYMENT, DeploymentDoc.key(ep, name)).isPresent()) {
      throw Errors.conflict("deployment '" + name + "' already exists in endpoint '" + ep
          + "'; use online-deployment update to change it");
    }
    kubernetes(spec, endpoint);
    requireRunBatch(spec);
    ScaleSettings scale = ScaleSettings.fromJson(spec.getJsonObject("scale_settings"));
    if (scale.autoscaled()) {
      // with a scaler, instance_count is where it starts (Azure's files may carry one), within its bounds
      int start = spec.getInteger("instance_count", scale.minInstances());
      if (start < scale.minInstances() || start > scale.maxInstances()) {
        throw new ValidationException("instance_count: with scale_settings.type target_utilization it is the "
            + "starting count and must be from min_instances (" + scale.minInstances() + ") to max_instances ("
            + scale.maxInstances() + "); got " + start);
      }
      spec = spec.copy().put("instance_count", start);
    }
    DeploymentDoc d = doc(spec, assets.resolve(spec), ProvisioningState.Creating, 1, 1, allTraffic,
        Instant.now().toString());
    store.put(Store.DEPLOYMENT, d.key(), d.toJson());
    return d.toView();
  }

  /** A validated full spec replaces the current one; {@code ifMatch}, when given, must be the current revision. */
  public JsonObject update(JsonObject spec, Integer ifMatch) throws Exception {
    String ep = spec.getString("endpoint_name");
    String name = spec.getString("name");
    DeploymentDoc current = load(ep, name);
    EndpointService.requireNotDeleting(current.state(), "deployment '" + name + "'");
    EndpointService.checkRevision(current.revision(), ifMatch, "deployment '" + name + "'");
    kubernetes(spec, endpoints.load(ep));
    requireRunBatch(spec);
    ScaleSettings scale = ScaleSettings.fromJson(spec.getJsonObject("scale_settings"));
    if (scale.autoscaled()) {
      // the count shown by 'show' comes back with '--set': only a different one is an attempt to set it
      Integer asked = spec.getInteger("instance_count");
      if (asked != null && asked != current.instanceCount()) {
        throw new ValidationException("instance_count: not settable while scale_settings.type is target_utilization "
            + "(the autoscaler runs between min_instances and max_instances); set scale_settings.type=default to "
            + "fix the count");
      }
      spec = spec.copy().put("instance_count", Math.max(scale.minInstances(), Math.min(scale.maxInstances(),
          current.instanceCount())));
    }
    DeploymentDoc.Resolved resolved = assets.resolve(spec);
    JsonObject before = current.toJson();
    boolean newVersion = !resolved.equals(current.resolved());
    for (String f : VERSIONED_FIELDS) {
      newVersion |= !Objects.equals(spec.getValue(f), before.getValue(f));
    }
    DeploymentDoc next = doc(spec, resolved, ProvisioningState.Updating, current.specVersion() + (newVersion ? 1 : 0),
        current.revision() + 1, current.allTrafficPending(), current.createdAt());
    store.put(Store.DEPLOYMENT, next.key(), next.toJson());
    return next.toView();
  }

  /** Batching (max_batch_size > 1) needs a score.py that defines run_batch: refused here, naming it. */
  private void requireRunBatch(JsonObject spec) throws java.sql.SQLException {
    int size = RequestSettings.fromJson(spec.getJsonObject("request_settings")).maxBatchSize();
    if (!BatchScriptCheck.applies(size)) {
      return;
    }
    JsonObject cc = spec.getJsonObject("code_configuration");
    Optional<byte[]> zip = store.getFile(cc.getString("code"));
    BatchScriptCheck.require(size, cc.getString("scoring_script"), zip.orElse(new byte[0]));
  }

  /** Kubernetes-style deployments match their endpoint's kind, and their names the combined length rule. */
  private static void kubernetes(JsonObject spec, EndpointDoc endpoint) {
    boolean k8s = "kubernetes".equals(spec.getString("type"));
    KubernetesRules.matches(k8s, endpoint.name(), endpoint.spec().getString("compute"));
    if (k8s) {
      KubernetesRules.names(endpoint.name(), spec.getString("name"));
    }
  }

  private static DeploymentDoc doc(JsonObject spec, DeploymentDoc.Resolved resolved, ProvisioningState state,
                                   int specVersion, int revision, boolean allTrafficPending, String createdAt) {
    DeploymentDoc parsed = DeploymentDoc.fromJson(spec);
    return new DeploymentDoc(parsed.endpoint(), parsed.name(), state, specVersion, revision, parsed.instanceCount(),
        parsed.instanceType(), RequestSettings.fromJson(spec.getJsonObject("request_settings")), resolved,
        allTrafficPending, null, createdAt, parsed.spec());
  }

  public DeploymentDoc load(String ep, String name) throws Exception {
    endpoints.load(ep);
    return store.get(Store.DEPLOYMENT, DeploymentDoc.key(ep, name)).map(DeploymentDoc::fromJson).orElseThrow(() ->
        Errors.notFound("deployment '" + name + "' not found in endpoint '" + ep + "'"));
  }

  public List<DeploymentDoc> list(String ep) throws Exception {
    endpoints.load(ep);
    return store.list(Store.DEPLOYMENT, ep + "/").stream().map(DeploymentDoc::fromJson).toList();
  }

  /** Refused (409) while the deployment has live or mirrored traffic; otherwise marked Deleting for the leader. */
  public JsonObject delete(String ep, String name) throws Exception {
    DeploymentDoc d = load(ep, name);
    EndpointDoc endpoint = endpoints.load(ep);
    int live = endpoint.trafficOf(name);
    if (live > 0) {
      throw Errors.conflict("deployment '" + name + "' has " + live + "% of the live traffic of endpoint '" + ep
          + "'; set its traffic to 0 (online-endpoint update --traffic) before deleting it");
    }
    int mirrored = endpoint.mirrorOf(name);
    if (mirrored > 0) {
      throw Errors.conflict("deployment '" + name + "' receives " + mirrored + "% mirrored traffic; set it to 0 "
          + "(online-endpoint update --mirror-traffic \"" + name + "=0\") before deleting it");
    }
    DeploymentDoc deleting = d.withState(ProvisioningState.Deleting, d.statusReason());
    store.put(Store.DEPLOYMENT, d.key(), deleting.toJson());
    return deleting.toView();
  }

  /**
   * The supervisor leader reports what it observed; only a matching spec version may settle a create/update.
   * A create with --all-traffic takes all the traffic at the moment it succeeds. Returns whether anything changed.
   */
  public boolean settle(String ep, String name, int specVersion, ProvisioningState outcome, String reason)
      throws Exception {
    Optional<DeploymentDoc> found = store.get(Store.DEPLOYMENT, DeploymentDoc.key(ep, name)).map(DeploymentDoc::fromJson);
    if (found.isEmpty()) {
      return false;
    }
    DeploymentDoc d = found.get();
    if (!d.state().settling() || d.specVersion() != specVersion || d.state() == outcome) {
      return false;
    }
    List<Write> writes = new ArrayList<>();
    DeploymentDoc settled = d.withState(outcome, reason);
    if (outcome == ProvisioningState.Succeeded && d.allTrafficPending()) {
      settled = settled.withAllTrafficPending(false);
      EndpointDoc endpoint = endpoints.load(ep);
      Map<String, Integer> mirror = new HashMap<>(endpoint.mirror());
      mirror.remove(name);
      writes.add(new Write(Store.ENDPOINT, ep, endpoint.withTraffic(Map.of(name, 100), mirror).toJson()));
    }
    writes.add(new Write(Store.DEPLOYMENT, d.key(), settled.toJson()));
    store.write(writes);
    return true;
  }

  /** Every instance of a Deleting deployment has stopped: remove it, and its endpoint when that is being deleted. */
  public boolean deleted(String ep, String name) throws Exception {
    Optional<DeploymentDoc> d = store.get(Store.DEPLOYMENT, DeploymentDoc.key(ep, name)).map(DeploymentDoc::fromJson);
    if (d.isEmpty() || d.get().state() != ProvisioningState.Deleting) {
      return false;
    }
    List<Write> writes = new ArrayList<>();
    writes.add(Write.delete(Store.DEPLOYMENT, DeploymentDoc.key(ep, name)));
    Optional<EndpointDoc> endpoint = store.get(Store.ENDPOINT, ep).map(EndpointDoc::fromJson);
    if (endpoint.isPresent() && endpoint.get().state() == ProvisioningState.Deleting
        && store.list(Store.DEPLOYMENT, ep + "/").size() == 1) {
      writes.add(Write.delete(Store.ENDPOINT, ep));
    }
    store.write(writes);
    return true;
  }

  /** A deployment as show prints it, with its instances. */
  public static JsonObject view(DeploymentDoc d, Collection<InstanceInfo> all) {
    return view(d, all, Map.of());
  }

  /**
   * {@code autoscale}: the autoscaler's states by deployment key; an autoscaled deployment's view carries its
   * {@code scale_status} (current and desired count, utilization, the reason of the last decision).
   */
  public static JsonObject view(DeploymentDoc d, Collection<InstanceInfo> all, Map<String, JsonObject> autoscale) {
    JsonObject v = withInstances(d, all);
    if (d.scaleSettings().autoscaled()) {
      JsonObject st = autoscale.get(d.key());
      v.put("scale_status", st == null ? new JsonObject().put("current_instances", d.instanceCount())
          .put("reason", "not decided yet") : st.copy());
    }
    return v;
  }

  private static JsonObject withInstances(DeploymentDoc d, Collection<InstanceInfo> all) {
    JsonArray out = new JsonArray();
    all.stream().filter(i -> i.of(d.endpoint(), d.name())).sorted(Comparator.comparing(InstanceInfo::id))
        .forEach(i -> out.add(new JsonObject().put("id", i.id()).put("node", i.node()).put("node_id", i.nodeId())
            .put("state", i.state().name()).put("spec_version", i.specVersion()).put("reason", i.reason())));
    return d.toView().put("instances", out);
  }
}
