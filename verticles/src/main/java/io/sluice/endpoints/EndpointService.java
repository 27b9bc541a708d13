package io.sluice.endpoints;

import io.sluice.auth.KeyHasher;
import io.sluice.auth.Keys;
import io.sluice.auth.Tokens;
import io.sluice.mirror.ComparisonSettings;
import io.sluice.protocol.DeploymentDoc;
import io.sluice.protocol.DesiredChange;
import io.sluice.protocol.EndpointDoc;
import io.sluice.protocol.Errors;
import io.sluice.protocol.ProvisioningState;
import io.sluice.protocol.Snapshot;
import io.sluice.protocol.ValidationException;
import io.sluice.rollout.RolloutState;
import io.sluice.store.Store;
import io.sluice.store.Store.Write;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Endpoints: create, read, update (traffic, mirror, auth mode, ...), delete, keys and tokens. A plain class over
 * the {@link Store}: blocking, no Vert.x; the caller holds the endpoint's cluster lock around each change and tells
 * the routers afterwards ({@link #change}).
 */
public final class EndpointService {
  private static final Set<String> PATCHABLE = Set.of("description", "tags", "auth_mode", "traffic",
      "mirror_traffic", "public_network_access", "$schema", "name", "identity", "kind", "properties",
      "mirror_comparison");

  private final Store store;
  private final Tokens tokens;
  private final KeyHasher keyHasher;
  private final long tokenTtlSeconds;

  /** {@code tokens} signs aml_tokens; {@code keyHasher} makes what routers know of the keys. */
  public EndpointService(Store store, Tokens tokens, KeyHasher keyHasher, long tokenTtlSeconds) {
    this.store = store;
    this.tokens = tokens;
    this.keyHasher = keyHasher;
    this.tokenTtlSeconds = tokenTtlSeconds;
  }

  /** Azure's rules for a new endpoint's spec; checked before the lock is taken. */
  public static JsonObject validate(JsonObject spec) {
    return SpecValidator.endpoint(spec);
  }

  /** Azure's rules for an update's fields; checked before the lock is taken. */
  public static void validatePatch(JsonObject patch) {
    SpecValidator.unknownFields("", patch, PATCHABLE);
  }

  public JsonObject create(JsonObject validated) throws Exception {
    String name = validated.getString("name");
    if (store.get(Store.ENDPOINT, name).isPresent()) {
      throw Errors.conflict("endpoint '" + name + "' already exists; use online-endpoint update to change it");
    }
    JsonObject json = validated.copy().put("traffic", new JsonObject()).put("mirror_traffic", new JsonObject())
        .put("uid", java.util.UUID.randomUUID().toString())
        .put("keys", new JsonObject().put("primary", Keys.generate()).put("secondary", Keys.generate()))
        .put("provisioning_state", ProvisioningState.Succeeded.name()).put("revision", 1)
        .put("created_at", Instant.now().toString());
    EndpointDoc ep = EndpointDoc.fromJson(json);
    store.put(Store.ENDPOINT, name, ep.toJson());
    return view(ep);
  }

  public JsonObject get(String name) throws Exception {
    return view(load(name));
  }

  public JsonObject list() throws Exception {
    JsonArray out = new JsonArray();
    for (JsonObject e : store.list(Store.ENDPOINT, "")) {
      out.add(view(EndpointDoc.fromJson(e)));
    }
    return new JsonObject().put("value", out);
  }

  /** Applies a validated patch; {@code ifMatch}, when given, must be the current revision (else 409). */
  public JsonObject update(String name, JsonObject patch, Integer ifMatch) throws Exception {
    EndpointDoc ep = load(name);
    requireNotDeleting(ep.state(), "endpoint '" + name + "'");
    checkRevision(ep.revision(), ifMatch, "endpoint '" + name + "'");
    if (patch.containsKey("traffic") || patch.containsKey("mirror_traffic")) {
      Optional<RolloutState> r = store.get(Store.ROLLOUT, name).map(RolloutState::fromJson)
          .filter(x -> x.status().active());
      if (r.isPresent()) {
        throw Errors.conflict("endpoint '" + name + "' is in a rollout of '" + r.get().plan().target() + "' ("
            + r.get().status() + " at " + r.get().stepLabel() + "), which sets its traffic; abort it first "
            + "(online-endpoint rollout abort -n " + name + ")");
      }
    }
    JsonObject next = ep.toJson().put("revision", ep.revision() + 1);
    if (patch.containsKey("description")) {
      next.put("description", String.valueOf(patch.getValue("description")));
    }
    if (patch.getValue("tags") instanceof JsonObject t) {
      next.put("tags", t);
    }
    if (patch.containsKey("auth_mode")) {
      next.put("auth_mode", SpecValidator.authMode(patch.getValue("auth_mode")));
    }
    if (patch.containsKey("mirror_comparison")) {
      next.put("mirror_comparison", ComparisonSettings.validate(patch.getValue("mirror_comparison")));
    }
    Map<String, Integer> traffic = percentField(patch, next, "traffic");
    Map<String, Integer> mirror = percentField(patch, next, "mirror_traffic");
    Set<String> deployments = new HashSet<>();
    for (JsonObject d : store.list(Store.DEPLOYMENT, name + "/")) {
      if (DeploymentDoc.fromJson(d).state() != ProvisioningState.Deleting) {
        deployments.add(d.getString("name"));
      }
    }
    SpecValidator.traffic(traffic, mirror, deployments);
    EndpointDoc updated = EndpointDoc.fromJson(next).withTraffic(new LinkedHashMap<>(SpecValidator.strip(traffic)),
        new LinkedHashMap<>(SpecValidator.strip(mirror)));
    store.put(Store.ENDPOINT, name, updated.toJson());
    return view(updated);
  }

  private static Map<String, Integer> percentField(JsonObject patch, JsonObject current, String field) {
    Object v = patch.containsKey(field) ? patch.getValue(field) : current.getValue(field);
    if (v == null) {
      return new LinkedHashMap<>();
    }
    if (!(v instanceof JsonObject o)) {
      throw new ValidationException(field + ": must be a map of deployment name to percent");
    }
    return SpecValidator.percentMap(field, o);
  }

  /** Deletes at once when it has no deployments; otherwise marks it and them Deleting for the leader to finish. */
  public JsonObject delete(String name) throws Exception {
    EndpointDoc ep = load(name);
    List<JsonObject> deps = store.list(Store.DEPLOYMENT, name + "/");
    if (deps.isEmpty()) {
      store.write(List.of(Write.delete(Store.ENDPOINT, name), Write.delete(Store.ROLLOUT, name)));
      return view(ep.withState(ProvisioningState.Deleting));
    }
    EndpointDoc deleting = ep.withState(ProvisioningState.Deleting).withTraffic(Map.of(), Map.of());
    List<Write> writes = new ArrayList<>();
    writes.add(new Write(Store.ENDPOINT, name, deleting.toJson()));
    writes.add(Write.delete(Store.ROLLOUT, name));
    for (JsonObject d : deps) {
      DeploymentDoc doc = DeploymentDoc.fromJson(d).withState(ProvisioningState.Deleting, d.getString("status_reason"));
      writes.add(new Write(Store.DEPLOYMENT, doc.key(), doc.toJson()));
    }
    store.write(writes);
    return view(deleting);
  }

  /** The slot name, checked before the lock is taken. */
  public static String keySlot(String keyType) {
    String slot = keyType == null ? "primary" : keyType.toLowerCase();
    if (!slot.equals("primary") && !slot.equals("secondary")) {
      throw Errors.badRequest("key_type: must be 'primary' or 'secondary'; got '" + keyType + "'");
    }
    return slot;
  }

  public JsonObject regenerateKey(String name, String slot) throws Exception {
    EndpointDoc ep = load(name);
    if (!"key".equals(ep.authMode())) {
      throw Errors.badRequest("endpoint '" + name + "' does not use keys for authentication (auth_mode "
          + ep.authMode() + ")");
    }
    EndpointDoc next = slot.equals("primary") ? ep.withKeys(Keys.generate(), ep.secondaryKey())
        : ep.withKeys(ep.primaryKey(), Keys.generate());
    store.put(Store.ENDPOINT, name, next.toJson());
    return new JsonObject().put("regenerated", slot);
  }

  public JsonObject keys(String name) throws Exception {
    EndpointDoc e = load(name);
    if (!"key".equals(e.authMode())) {
      throw Errors.badRequest("endpoint '" + e.name() + "' uses auth_mode " + e.authMode()
          + ": it has no keys; get a token instead (get-credentials does)");
    }
    return new JsonObject().put("primaryKey", e.primaryKey()).put("secondaryKey", e.secondaryKey());
  }

  public JsonObject token(String name) throws Exception {
    EndpointDoc e = load(name);
    if (!"aml_token".equals(e.authMode())) {
      throw Errors.badRequest("endpoint '" + e.name() + "' uses auth_mode " + e.authMode()
          + "; tokens are for auth_mode aml_token (use its keys)");
    }
    return tokens.issue(e.name(), e.uid(), tokenTtlSeconds);
  }

  /** The endpoint's current documents, for the routers: key hashes, no keys (null document: it no longer exists). */
  public DesiredChange change(String name) throws Exception {
    List<DeploymentDoc> deps = store.list(Store.DEPLOYMENT, name + "/").stream().map(DeploymentDoc::fromJson).toList();
    return new DesiredChange(name, store.get(Store.ENDPOINT, name).map(this::forRouters).orElse(null), deps);
  }

  /** Everything routers and the supervisor leader need; no usable secret ({@link Snapshot}). */
  public Snapshot snapshot(String tokenPublicKey) throws Exception {
    return new Snapshot(tokenPublicKey, store.list(Store.ENDPOINT, "").stream().map(this::forRouters).toList(),
        store.list(Store.DEPLOYMENT, "").stream().map(DeploymentDoc::fromJson).toList(),
        store.list(Store.NODE, "").stream().map(io.sluice.protocol.DrainedNode::fromJson).toList());
  }

  private EndpointDoc forRouters(JsonObject stored) {
    return EndpointDoc.fromJson(stored).forRouters(keyHasher::hash);
  }

  EndpointDoc load(String name) throws Exception {
    return store.get(Store.ENDPOINT, String.valueOf(name)).map(EndpointDoc::fromJson).orElseThrow(() ->
        Errors.notFound("endpoint '" + name + "' not found"));
  }

  /** The endpoint as show prints it: no keys; every deployment listed in traffic (0 when it has none), as Azure. */
  private JsonObject view(EndpointDoc ep) throws Exception {
    JsonObject v = ep.toJson();
    v.remove("keys");
    v.remove("uid");
    JsonObject traffic = new JsonObject();
    for (JsonObject d : store.list(Store.DEPLOYMENT, ep.name() + "/")) {
      traffic.put(d.getString("name"), 0);
    }
    ep.traffic().forEach(traffic::put);
    return v.put("traffic", traffic);
  }

  static void requireNotDeleting(ProvisioningState state, String what) {
    if (state == ProvisioningState.Deleting) {
      throw Errors.conflict(what + " is being deleted");
    }
  }

  /**
   * Optimistic concurrency for read-modify-write clients: a change that names the revision it was based on is
   * refused (412, HTTP's failed precondition) when another change came first. Nothing is written then.
   */
  static void checkRevision(int now, Integer ifMatch, String what) {
    if (ifMatch != null && ifMatch != now) {
      throw Errors.preconditionFailed(what + " was changed by another update (revision " + ifMatch + " is now "
          + now + "); read it again and retry");
    }
  }
}
