package io.sluice.endpoints;

import io.sluice.protocol.Addresses;
import io.sluice.protocol.Errors;
import io.sluice.protocol.Events;
import io.sluice.protocol.Ops;
import io.sluice.protocol.Routers;
import io.sluice.protocol.ValidationException;
import io.sluice.store.Store;
import io.sluice.store.Store.Write;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The endpoint-manager: owns the desired state. Validates every change, writes it to the store before it
 * answers, and publishes {@link Events#DESIRED_CHANGED} so routers and the supervisor leader follow. Changes to
 * one endpoint (and its deployments) are serialised by a cluster-wide lock, so every node may run a manager.
 */
public final class EndpointManagerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(EndpointManagerVerticle.class);
  /** Deployment fields whose change replaces the instances (a new spec version, rolled out with surge). */
  static final List<String> VERSIONED_FIELDS = List.of("model", "code_configuration", "environment",
      "environment_variables", "instance_type", "request_settings", "liveness_probe", "readiness_probe");

  private final Store store;
  private final String tokenSecret;
  private final long tokenTtlSeconds;
  private Tokens tokens;

  public EndpointManagerVerticle(Store store, String tokenSecret, long tokenTtlSeconds) {
    this.store = store;
    this.tokenSecret = tokenSecret;
    this.tokenTtlSeconds = tokenTtlSeconds;
  }

  @Override
  public Future<?> start() {
    tokens = new Tokens(vertx, tokenSecret);
    return vertx.eventBus().<JsonObject>consumer(Addresses.ENDPOINTS, this::handle).completion();
  }

  private void handle(Message<JsonObject> msg) {
    JsonObject body = msg.body();
    Future<JsonObject> result;
    try {
      result = dispatch(body.getString(Ops.OP, ""), body);
    } catch (ValidationException | ReplyException e) {
      result = Future.failedFuture(e);
    }
    result.onSuccess(msg::reply).onFailure(err -> {
      int status = Errors.httpStatus(err);
      if (status >= 500) {
        LOG.error("control-plane operation {} failed", body.getString(Ops.OP), err);
      }
      msg.fail(status, status >= 500 ? "internal error: " + err.getMessage() : err.getMessage());
    });
  }

  private Future<JsonObject> dispatch(String op, JsonObject m) {
    return switch (op) {
      case Ops.ENDPOINT_CREATE -> createEndpoint(m.getJsonObject("spec", new JsonObject()));
      case Ops.ENDPOINT_GET -> blocking(() -> endpointView(loadEndpoint(m.getString("name"))));
      case Ops.ENDPOINT_LIST -> blocking(() -> {
        JsonArray out = new JsonArray();
        for (JsonObject e : store.list(Store.ENDPOINT, "")) {
          out.add(endpointView(e));
        }
        return new JsonObject().put("value", out);
      });
      case Ops.ENDPOINT_UPDATE -> updateEndpoint(m.getString("name"), m.getJsonObject("patch", new JsonObject()),
          m.getInteger("if_match"));
      case Ops.ENDPOINT_DELETE -> deleteEndpoint(m.getString("name"));
      case Ops.ENDPOINT_TOKEN -> blocking(() -> {
        JsonObject e = loadEndpoint(m.getString("name"));
        if (!"aml_token".equals(e.getString("auth_mode"))) {
          throw Errors.badRequest("endpoint '" + e.getString("name") + "' uses auth_mode " + e.getString("auth_mode")
              + "; tokens are for auth_mode aml_token (use its keys)");
        }
        return tokens.issue(e.getString("name"), tokenTtlSeconds);
      });
      case Ops.ENDPOINT_KEYS -> blocking(() -> {
        JsonObject e = loadEndpoint(m.getString("name"));
        if (!"key".equals(e.getString("auth_mode"))) {
          throw Errors.badRequest("endpoint '" + e.getString("name") + "' uses auth_mode " + e.getString("auth_mode")
              + ": it has no keys; get a token instead (get-credentials does)");
        }
        JsonObject k = e.getJsonObject("keys");
        return new JsonObject().put("primaryKey", k.getString("primary")).put("secondaryKey", k.getString("secondary"));
      });
      case Ops.ENDPOINT_REGENERATE_KEYS -> regenerateKeys(m.getString("name"), m.getString("key_type", "primary"));
      case Ops.DEPLOYMENT_CREATE -> createDeployment(m.getJsonObject("spec", new JsonObject()),
          m.getBoolean("all_traffic", false));
      case Ops.DEPLOYMENT_UPDATE -> updateDeployment(m.getJsonObject("spec", new JsonObject()), m.getInteger("if_match"));
      case Ops.DEPLOYMENT_GET -> blocking(() -> loadDeployment(m.getString("endpoint"), m.getString("name")))
          .compose(this::withInstances);
      case Ops.DEPLOYMENT_LIST -> listDeployments(m.getString("endpoint"));
      case Ops.DEPLOYMENT_DELETE -> deleteDeployment(m.getString("endpoint"), m.getString("name"));
      case Ops.DEPLOYMENT_STATE -> deploymentState(m);
      case Ops.DEPLOYMENT_DELETED -> deploymentDeleted(m.getString("endpoint"), m.getString("name"));
      case Ops.DEPLOYMENT_LOGS -> logs(m.getString("endpoint"), m.getString("name"), m.getInteger("lines", 5000));
      case Ops.MODEL_CREATE -> createAsset(Store.MODEL, "model", m.getJsonObject("spec", new JsonObject()));
      case Ops.ENVIRONMENT_CREATE -> createAsset(Store.ENVIRONMENT, "environment",
          m.getJsonObject("spec", new JsonObject()));
      case Ops.MODEL_GET -> getAsset(Store.MODEL, "model", m.getString("name"), m.getString("version"));
      case Ops.ENVIRONMENT_GET -> getAsset(Store.ENVIRONMENT, "environment", m.getString("name"),
          m.getString("version"));
      case Ops.MODEL_LIST -> listAssets(Store.MODEL, m.getString("name"));
      case Ops.ENVIRONMENT_LIST -> listAssets(Store.ENVIRONMENT, m.getString("name"));
      case Ops.SNAPSHOT -> blocking(() -> new JsonObject().put("token_secret", tokenSecret)
          .put("endpoints", new JsonArray(new ArrayList<>(store.list(Store.ENDPOINT, ""))))
          .put("deployments", new JsonArray(new ArrayList<>(store.list(Store.DEPLOYMENT, "")))));
      default -> Future.failedFuture(Errors.badRequest("unknown operation '" + op + "'"));
    };
  }

  // ---- endpoints -------------------------------------------------------------------------------------------

  private Future<JsonObject> createEndpoint(JsonObject spec) {
    JsonObject ep = SpecValidator.endpoint(spec);
    String name = ep.getString("name");
    return locked(name, () -> {
      if (store.get(Store.ENDPOINT, name).isPresent()) {
        throw Errors.conflict("endpoint '" + name + "' already exists; use online-endpoint update to change it");
      }
      ep.put("traffic", new JsonObject()).put("mirror_traffic", new JsonObject())
          .put("keys", new JsonObject().put("primary", Keys.generate()).put("secondary", Keys.generate()))
          .put("provisioning_state", "Succeeded").put("revision", 1)
          .put("created_at", java.time.Instant.now().toString());
      store.put(Store.ENDPOINT, name, ep);
      return endpointView(ep);
    }).compose(v -> changed(name).map(v));
  }

  /**
   * Optimistic concurrency for read-modify-write clients: a change that names the revision it was based on is
   * refused (409) when another change came first. Nothing is written then.
   */
  private static void checkRevision(JsonObject current, Integer ifMatch, String what) {
    int now = current.getInteger("revision", 1);
    if (ifMatch != null && ifMatch != now) {
      throw Errors.conflict(what + " was changed by another update (revision " + ifMatch + " is now " + now
          + "); read it again and retry");
    }
  }

  private Future<JsonObject> updateEndpoint(String name, JsonObject patch, Integer ifMatch) {
    SpecValidator.unknownFields("", patch, Set.of("description", "tags", "auth_mode", "traffic", "mirror_traffic",
        "public_network_access", "$schema", "name", "identity", "kind", "properties"));
    return locked(name, () -> {
      JsonObject ep = loadEndpoint(name);
      requireNotDeleting(ep, "endpoint '" + name + "'");
      checkRevision(ep, ifMatch, "endpoint '" + name + "'");
      JsonObject next = ep.copy().put("revision", ep.getInteger("revision", 1) + 1);
      if (patch.containsKey("description")) {
        next.put("description", String.valueOf(patch.getValue("description")));
      }
      if (patch.getValue("tags") instanceof JsonObject t) {
        next.put("tags", t);
      }
      if (patch.containsKey("auth_mode")) {
        next.put("auth_mode", SpecValidator.authMode(patch.getValue("auth_mode")));
      }
      Map<String, Integer> traffic = percentField(patch, next, "traffic");
      Map<String, Integer> mirror = percentField(patch, next, "mirror_traffic");
      Set<String> deployments = new HashSet<>();
      for (JsonObject d : store.list(Store.DEPLOYMENT, name + "/")) {
        if (!"Deleting".equals(d.getString("provisioning_state"))) {
          deployments.add(d.getString("name"));
        }
      }
      SpecValidator.traffic(traffic, mirror, deployments);
      next.put("traffic", new JsonObject(new java.util.LinkedHashMap<>(SpecValidator.strip(traffic))));
      next.put("mirror_traffic", new JsonObject(new java.util.LinkedHashMap<>(SpecValidator.strip(mirror))));
      store.put(Store.ENDPOINT, name, next);
      return endpointView(next);
    }).compose(v -> changed(name).map(v));
  }

  private static Map<String, Integer> percentField(JsonObject patch, JsonObject current, String field) {
    Object v = patch.containsKey(field) ? patch.getValue(field) : current.getValue(field);
    if (v == null) {
      return new java.util.LinkedHashMap<>();
    }
    if (!(v instanceof JsonObject o)) {
      throw new ValidationException(field + ": must be a map of deployment name to percent");
    }
    return SpecValidator.percentMap(field, o);
  }

  private Future<JsonObject> deleteEndpoint(String name) {
    return locked(name, () -> {
      JsonObject ep = loadEndpoint(name);
      List<JsonObject> deps = store.list(Store.DEPLOYMENT, name + "/");
      if (deps.isEmpty()) {
        store.write(List.of(Write.delete(Store.ENDPOINT, name)));
        return endpointView(ep.put("provisioning_state", "Deleting"));
      }
      List<Write> writes = new ArrayList<>();
      ep.put("provisioning_state", "Deleting").put("traffic", new JsonObject()).put("mirror_traffic", new JsonObject());
      writes.add(new Write(Store.ENDPOINT, name, ep));
      for (JsonObject d : deps) {
        writes.add(new Write(Store.DEPLOYMENT, name + "/" + d.getString("name"), d.put("provisioning_state", "Deleting")));
      }
      store.write(writes);
      return endpointView(ep);
    }).compose(v -> changed(name).map(v));
  }

  private Future<JsonObject> regenerateKeys(String name, String keyType) {
    String slot = keyType == null ? "primary" : keyType.toLowerCase();
    if (!slot.equals("primary") && !slot.equals("secondary")) {
      return Future.failedFuture(Errors.badRequest("key_type: must be 'primary' or 'secondary'; got '" + keyType + "'"));
    }
    return locked(name, () -> {
      JsonObject ep = loadEndpoint(name);
      if (!"key".equals(ep.getString("auth_mode"))) {
        throw Errors.badRequest("endpoint '" + name + "' does not use keys for authentication (auth_mode "
            + ep.getString("auth_mode") + ")");
      }
      ep.getJsonObject("keys").put(slot, Keys.generate());
      store.put(Store.ENDPOINT, name, ep);
      return new JsonObject().put("regenerated", slot);
    }).compose(v -> changed(name).map(v));
  }

  // ---- deployments -----------------------------------------------------------------------------------------

  private Future<JsonObject> createDeployment(JsonObject raw, boolean allTraffic) {
    JsonObject spec = SpecValidator.deployment(raw);
    String ep = spec.getString("endpoint_name");
    String name = spec.getString("name");
    return offered(spec.getString("instance_type")).compose(ok -> locked(ep, () -> {
      JsonObject endpoint = loadEndpoint(ep);
      requireNotDeleting(endpoint, "endpoint '" + ep + "'");
      if (store.get(Store.DEPLOYMENT, ep + "/" + name).isPresent()) {
        throw Errors.conflict("deployment '" + name + "' already exists in endpoint '" + ep
            + "'; use online-deployment update to change it");
      }
      spec.put("resolved", resolve(spec));
      spec.put("provisioning_state", "Creating").put("spec_version", 1).put("revision", 1)
          .put("all_traffic_pending", allTraffic)
          .put("created_at", java.time.Instant.now().toString());
      store.put(Store.DEPLOYMENT, ep + "/" + name, spec);
      return deploymentView(spec);
    })).compose(v -> changed(ep).map(v));
  }

  private Future<JsonObject> updateDeployment(JsonObject raw, Integer ifMatch) {
    JsonObject spec = SpecValidator.deployment(raw);
    String ep = spec.getString("endpoint_name");
    String name = spec.getString("name");
    return offered(spec.getString("instance_type")).compose(ok -> locked(ep, () -> {
      JsonObject current = loadDeployment(ep, name);
      requireNotDeleting(current, "deployment '" + name + "'");
      checkRevision(current, ifMatch, "deployment '" + name + "'");
      JsonObject resolved = resolve(spec);
      boolean newVersion = !resolved.equals(current.getJsonObject("resolved"));
      for (String f : VERSIONED_FIELDS) {
        newVersion |= !java.util.Objects.equals(spec.getValue(f), current.getValue(f));
      }
      JsonObject next = spec.copy()
          .put("resolved", resolved)
          .put("spec_version", current.getInteger("spec_version", 1) + (newVersion ? 1 : 0))
          .put("provisioning_state", "Updating")
          .put("revision", current.getInteger("revision", 1) + 1)
          .put("all_traffic_pending", current.getBoolean("all_traffic_pending", false))
          .put("created_at", current.getString("created_at"));
      store.put(Store.DEPLOYMENT, ep + "/" + name, next);
      return deploymentView(next);
    })).compose(v -> changed(ep).map(v));
  }

  /** A deployment's instance_type must be offered by some node that hosts instances. */
  private Future<Void> offered(String type) {
    return vertx.sharedData().<String, JsonObject>getClusterWideMap(Addresses.NODES_MAP).compose(m -> m.values())
        .compose(nodes -> {
          Set<String> offered = new java.util.TreeSet<>();
          for (JsonObject n : nodes) {
            if (n.getInteger("capacity", 0) > 0 && !n.getBoolean("leaving", false)) {
              n.getJsonArray("instance_types", new JsonArray()).forEach(t -> offered.add(String.valueOf(t)));
            }
          }
          if (offered.contains("*") || offered.stream().anyMatch(t -> t.equalsIgnoreCase(type))) {
            return Future.succeededFuture();
          }
          return Future.failedFuture(new ValidationException("instance_type: no node of the cluster offers '" + type
              + "' (offered: " + (offered.isEmpty() ? "none; start a node with the scorer-host role" : String.join(", ",
              offered)) + ")"));
        });
  }

  /** What the scorers need, resolved from asset references: file ids and the environment name. */
  private JsonObject resolve(JsonObject spec) throws Exception {
    JsonObject r = new JsonObject();
    Object model = spec.getValue("model");
    if (model instanceof String ref) {
      AssetRef a = AssetRef.model(ref);
      JsonObject m = store.get(Store.MODEL, a.key()).orElseThrow(() -> new ValidationException("model: '" + ref
          + "' is not registered; register it first with 'model create --name " + a.name() + " --version "
          + a.version() + " --path <folder>'"));
      r.put("model_file", m.getString("path"));
    } else if (model instanceof JsonObject m) {
      r.put("model_file", m.getString("path"));
    }
    String code = spec.getJsonObject("code_configuration").getString("code");
    r.put("code_file", code);
    Object env = spec.getValue("environment");
    if (env instanceof String ref) {
      AssetRef a = AssetRef.environment(ref);
      if (!a.registry() && store.get(Store.ENVIRONMENT, a.key()).isEmpty()) {
        throw new ValidationException("environment: '" + ref + "' is not registered; register it first with "
            + "'environment create --name " + a.name() + " --version " + a.version() + " ...'");
      }
      r.put("environment", a.name());
    }
    for (String id : new String[] {r.getString("model_file"), code}) {
      if (id != null && !store.hasFile(id)) {
        throw new ValidationException("uploaded file " + id + " is not in the store; upload the folder again");
      }
    }
    return r;
  }

  private Future<JsonObject> listDeployments(String ep) {
    return blocking(() -> {
      loadEndpoint(ep);
      return store.list(Store.DEPLOYMENT, ep + "/");
    }).compose(list -> instances().map(all -> {
      JsonArray out = new JsonArray();
      for (JsonObject d : list) {
        out.add(deploymentView(d).put("instances", instancesOf(all, ep, d.getString("name"))));
      }
      return new JsonObject().put("value", out);
    }));
  }

  private Future<JsonObject> deleteDeployment(String ep, String name) {
    return locked(ep, () -> {
      JsonObject d = loadDeployment(ep, name);
      JsonObject endpoint = loadEndpoint(ep);
      int live = endpoint.getJsonObject("traffic", new JsonObject()).getInteger(name, 0);
      if (live > 0) {
        throw Errors.conflict("deployment '" + name + "' has " + live + "% of the live traffic of endpoint '" + ep
            + "'; set its traffic to 0 (online-endpoint update --traffic) before deleting it");
      }
      int mirrored = endpoint.getJsonObject("mirror_traffic", new JsonObject()).getInteger(name, 0);
      if (mirrored > 0) {
        throw Errors.conflict("deployment '" + name + "' receives " + mirrored + "% mirrored traffic; set it to 0 "
            + "(online-endpoint update --mirror-traffic \"" + name + "=0\") before deleting it");
      }
      d.put("provisioning_state", "Deleting");
      store.put(Store.DEPLOYMENT, ep + "/" + name, d);
      return deploymentView(d);
    }).compose(v -> changed(ep).map(v));
  }

  /** The supervisor leader reports what it observed; only a matching spec version may settle a create/update. */
  private Future<JsonObject> deploymentState(JsonObject m) {
    String ep = m.getString("endpoint");
    String name = m.getString("name");
    return locked(ep, () -> {
      Optional<JsonObject> found = store.get(Store.DEPLOYMENT, ep + "/" + name);
      if (found.isEmpty()) {
        return new JsonObject().put("applied", false);
      }
      JsonObject d = found.get();
      String state = d.getString("provisioning_state");
      boolean settles = ("Creating".equals(state) || "Updating".equals(state) || "Failed".equals(state))
          && d.getInteger("spec_version").equals(m.getInteger("spec_version"))
          && !state.equals(m.getString("state"));
      if (!settles) {
        return new JsonObject().put("applied", false);
      }
      List<Write> writes = new ArrayList<>();
      d.put("provisioning_state", m.getString("state"));
      if (m.getString("reason") != null) {
        d.put("status_reason", m.getString("reason"));
      } else {
        d.remove("status_reason");
      }
      if ("Succeeded".equals(m.getString("state")) && d.getBoolean("all_traffic_pending", false)) {
        d.put("all_traffic_pending", false);
        JsonObject endpoint = loadEndpoint(ep);
        endpoint.put("traffic", new JsonObject().put(name, 100));
        endpoint.getJsonObject("mirror_traffic", new JsonObject()).remove(name);
        writes.add(new Write(Store.ENDPOINT, ep, endpoint));
      }
      writes.add(new Write(Store.DEPLOYMENT, ep + "/" + name, d));
      store.write(writes);
      return new JsonObject().put("applied", true);
    }).compose(v -> v.getBoolean("applied") ? changed(ep).map(v) : Future.succeededFuture(v));
  }

  private Future<JsonObject> deploymentDeleted(String ep, String name) {
    return locked(ep, () -> {
      Optional<JsonObject> d = store.get(Store.DEPLOYMENT, ep + "/" + name);
      if (d.isEmpty() || !"Deleting".equals(d.get().getString("provisioning_state"))) {
        return new JsonObject().put("applied", false);
      }
      List<Write> writes = new ArrayList<>();
      writes.add(Write.delete(Store.DEPLOYMENT, ep + "/" + name));
      Optional<JsonObject> endpoint = store.get(Store.ENDPOINT, ep);
      if (endpoint.isPresent() && "Deleting".equals(endpoint.get().getString("provisioning_state"))
          && store.list(Store.DEPLOYMENT, ep + "/").size() == 1) {
        writes.add(Write.delete(Store.ENDPOINT, ep));
      }
      store.write(writes);
      return new JsonObject().put("applied", true);
    }).compose(v -> changed(ep).map(v));
  }

  private Future<JsonObject> logs(String ep, String name, int lines) {
    return blocking(() -> loadDeployment(ep, name)).compose(d -> instances()).compose(all -> {
      JsonArray mine = instancesOf(all, ep, name);
      JsonObject pick = null;
      for (Object o : mine) {
        JsonObject i = (JsonObject) o;
        if (pick == null || "Ready".equals(i.getString("state")) && !"Ready".equals(pick.getString("state"))) {
          pick = i;
        }
      }
      if (pick == null) {
        return Future.succeededFuture(new JsonObject().put("content", ""));
      }
      return vertx.eventBus().<JsonObject>request(Addresses.supervisor(pick.getString("node_id")),
          new JsonObject().put(Ops.OP, Ops.LOGS).put("instance", pick.getString("id")).put("lines", lines))
          .map(Message::body);
    });
  }

  // ---- registered models and environments ------------------------------------------------------------------

  private Future<JsonObject> createAsset(String kind, String what, JsonObject spec) {
    Object n = spec.getValue("name");
    if (!(n instanceof String name) || !name.matches("[A-Za-z0-9][-A-Za-z0-9_.]{0,254}")) {
      return Future.failedFuture(new ValidationException("name: a " + what + " name is required: letters, digits, "
          + "'-', '_' and '.', starting with a letter or digit"));
    }
    String version = String.valueOf(spec.getValue("version", "1"));
    if (!version.matches("[-A-Za-z0-9_.]{1,64}")) {
      return Future.failedFuture(new ValidationException("version: letters, digits, '-', '_' and '.' only"));
    }
    if (Store.MODEL.equals(kind) && !Uploads.isId(spec.getString("path"))) {
      return Future.failedFuture(new ValidationException("path: the model folder is required (the CLI uploads it)"));
    }
    if (Store.ENVIRONMENT.equals(kind) && spec.getValue("image") == null && spec.getValue("build") == null) {
      return Future.failedFuture(new ValidationException("image: one of 'image' or 'build' is required"));
    }
    JsonObject rec = spec.copy().put("name", name).put("version", version).put("created_at",
        java.time.Instant.now().toString());
    rec.remove("$schema");
    return blocking(() -> {
      synchronized (store) {
        if (store.get(kind, name + ":" + version).isPresent()) {
          throw Errors.conflict(what + " " + name + ":" + version + " already exists; versions are immutable, "
              + "register a new version");
        }
        if (rec.getString("path") != null && !store.hasFile(rec.getString("path"))) {
          throw new ValidationException("path: uploaded file " + rec.getString("path") + " is not in the store");
        }
        store.put(kind, name + ":" + version, rec);
      }
      return rec.copy().put("id", "azureml:" + name + ":" + version);
    });
  }

  private Future<JsonObject> getAsset(String kind, String what, String name, String version) {
    return blocking(() -> {
      if (version == null || version.isEmpty()) {
        List<JsonObject> all = store.list(kind, name + ":");
        if (all.isEmpty()) {
          throw Errors.notFound(what + " '" + name + "' not found");
        }
        return all.get(all.size() - 1).put("id", "azureml:" + name + ":" + all.get(all.size() - 1).getString("version"));
      }
      return store.get(kind, name + ":" + version).map(r -> r.put("id", "azureml:" + name + ":" + version))
          .orElseThrow(() -> Errors.notFound(what + " '" + name + ":" + version + "' not found"));
    });
  }

  private Future<JsonObject> listAssets(String kind, String name) {
    return blocking(() -> {
      JsonArray out = new JsonArray();
      for (JsonObject r : store.list(kind, name == null ? "" : name + ":")) {
        out.add(r.put("id", "azureml:" + r.getString("name") + ":" + r.getString("version")));
      }
      return new JsonObject().put("value", out);
    });
  }

  // ---- helpers ---------------------------------------------------------------------------------------------

  private JsonObject loadEndpoint(String name) throws Exception {
    return store.get(Store.ENDPOINT, String.valueOf(name)).orElseThrow(() ->
        Errors.notFound("endpoint '" + name + "' not found"));
  }

  private JsonObject loadDeployment(String ep, String name) throws Exception {
    loadEndpoint(ep);
    return store.get(Store.DEPLOYMENT, ep + "/" + name).orElseThrow(() ->
        Errors.notFound("deployment '" + name + "' not found in endpoint '" + ep + "'"));
  }

  private static void requireNotDeleting(JsonObject o, String what) {
    if ("Deleting".equals(o.getString("provisioning_state"))) {
      throw Errors.conflict(what + " is being deleted");
    }
  }

  /** The endpoint as show prints it: no keys; every deployment listed in traffic (0 when it has none), as Azure. */
  private JsonObject endpointView(JsonObject ep) throws Exception {
    JsonObject v = ep.copy();
    v.remove("keys");
    JsonObject traffic = new JsonObject();
    for (JsonObject d : store.list(Store.DEPLOYMENT, ep.getString("name") + "/")) {
      traffic.put(d.getString("name"), 0);
    }
    ep.getJsonObject("traffic", new JsonObject()).forEach(e -> traffic.put(e.getKey(), e.getValue()));
    v.put("traffic", traffic);
    return v;
  }

  static JsonObject deploymentView(JsonObject d) {
    JsonObject v = d.copy();
    v.remove("resolved");
    v.remove("all_traffic_pending");
    v.put("type", "managed");
    return v;
  }

  private Future<JsonObject> withInstances(JsonObject d) {
    return instances().map(all -> deploymentView(d).put("instances",
        instancesOf(all, d.getString("endpoint_name"), d.getString("name"))));
  }

  private Future<List<JsonObject>> instances() {
    return vertx.sharedData().<String, JsonObject>getClusterWideMap(Addresses.INSTANCES_MAP)
        .compose(map -> map.values());
  }

  private static JsonArray instancesOf(List<JsonObject> all, String ep, String name) {
    JsonArray out = new JsonArray();
    all.stream().filter(i -> ep.equals(i.getString("endpoint")) && name.equals(i.getString("deployment")))
        .sorted((a, b) -> a.getString("id").compareTo(b.getString("id")))
        .forEach(i -> out.add(new JsonObject().put("id", i.getString("id")).put("node", i.getString("node"))
            .put("node_id", i.getString("node_id")).put("state", i.getString("state"))
            .put("spec_version", i.getInteger("spec_version")).put("reason", i.getString("reason"))));
    return out;
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return vertx.executeBlocking(work, false);
  }

  /** Runs a read-modify-write of one endpoint under its cluster-wide lock, on a worker thread. */
  private <T> Future<T> locked(String endpoint, Callable<T> work) {
    if (endpoint == null) {
      return Future.failedFuture(Errors.badRequest("an endpoint name is required"));
    }
    return vertx.sharedData().getLockWithTimeout(Addresses.endpointLock(endpoint), 15_000)
        .compose(lock -> blocking(work).andThen(ar -> lock.release()));
  }

  /**
   * Tells every router the endpoint's new desired state (keys included) and waits until each has applied it, then
   * publishes the change for the supervisor leader. A router that does not answer in time catches up on its
   * periodic resync; the caller is not held up by it.
   */
  private Future<Void> changed(String endpoint) {
    return blocking(() -> new JsonObject().put(Events.TYPE, Events.DESIRED_CHANGED).put("endpoint", endpoint)
        .put("document", store.get(Store.ENDPOINT, endpoint).orElse(null))
        .put("deployments", new JsonArray(new ArrayList<>(store.list(Store.DEPLOYMENT, endpoint + "/")))))
        .compose(change -> Routers.tellAll(vertx, change))
        .onComplete(ar -> vertx.eventBus().publish(Addresses.EVENTS, new JsonObject()
            .put(Events.TYPE, Events.DESIRED_CHANGED).put("endpoint", endpoint)));
  }


}
