package io.sluice.endpoints;

import io.sluice.protocol.DeploymentDoc;
import io.sluice.protocol.Errors;
import io.sluice.protocol.ValidationException;
import io.sluice.store.Store;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * Registered models and environments (immutable, versioned), and the resolution of a deployment's asset references
 * to what a scorer loads. A plain class over the {@link Store}: blocking, no Vert.x.
 */
public final class AssetRegistry {
  /** The two kinds of registered asset: the store kind and the word users see. */
  public enum Kind {
    MODEL(Store.MODEL, "model"), ENVIRONMENT(Store.ENVIRONMENT, "environment");

    final String storeKind;
    final String word;

    Kind(String storeKind, String word) {
      this.storeKind = storeKind;
      this.word = word;
    }
  }

  private final Store store;

  public AssetRegistry(Store store) {
    this.store = store;
  }

  /** Registers a new version; an existing version is never changed (409). */
  public JsonObject create(Kind kind, JsonObject spec) throws Exception {
    Object n = spec.getValue("name");
    if (!(n instanceof String name) || !name.matches("[A-Za-z0-9][-A-Za-z0-9_.]{0,254}")) {
      throw new ValidationException("name: a " + kind.word + " name is required: letters, digits, "
          + "'-', '_' and '.', starting with a letter or digit");
    }
    String version = String.valueOf(spec.getValue("version", "1"));
    if (!version.matches("[-A-Za-z0-9_.]{1,64}")) {
      throw new ValidationException("version: letters, digits, '-', '_' and '.' only");
    }
    if (kind == Kind.MODEL && !Uploads.isId(spec.getString("path"))) {
      throw new ValidationException("path: the model folder is required (the CLI uploads it)");
    }
    if (kind == Kind.ENVIRONMENT && spec.getValue("image") == null && spec.getValue("build") == null) {
      throw new ValidationException("image: one of 'image' or 'build' is required");
    }
    JsonObject rec = spec.copy().put("name", name).put("version", version).put("created_at", Instant.now().toString());
    rec.remove("$schema");
    synchronized (store) {
      if (store.get(kind.storeKind, name + ":" + version).isPresent()) {
        throw Errors.conflict(kind.word + " " + name + ":" + version + " already exists; versions are immutable, "
            + "register a new version");
      }
      if (rec.getString("path") != null && !store.hasFile(rec.getString("path"))) {
        throw new ValidationException("path: uploaded file " + rec.getString("path") + " is not in the store; upload "
            + "the folder again");
      }
      store.put(kind.storeKind, name + ":" + version, rec);
    }
    return rec.copy().put("id", "azureml:" + name + ":" + version);
  }

  /** One version, or the latest when {@code version} is empty. */
  public JsonObject get(Kind kind, String name, String version) throws Exception {
    if (version == null || version.isEmpty()) {
      List<JsonObject> all = store.list(kind.storeKind, name + ":");
      if (all.isEmpty()) {
        throw Errors.notFound(kind.word + " '" + name + "' not found");
      }
      JsonObject latest = all.get(all.size() - 1);
      return latest.put("id", "azureml:" + name + ":" + latest.getString("version"));
    }
    return store.get(kind.storeKind, name + ":" + version).map(r -> r.put("id", "azureml:" + name + ":" + version))
        .orElseThrow(() -> Errors.notFound(kind.word + " '" + name + ":" + version + "' not found"));
  }

  public JsonObject list(Kind kind, String name) throws Exception {
    JsonArray out = new JsonArray();
    for (JsonObject r : store.list(kind.storeKind, name == null ? "" : name + ":")) {
      out.add(r.put("id", "azureml:" + r.getString("name") + ":" + r.getString("version")));
    }
    return new JsonObject().put("value", out);
  }

  /** What the scorers need, resolved from a validated deployment's asset references; refuses missing ones. */
  public DeploymentDoc.Resolved resolve(JsonObject spec) throws Exception {
    String modelFile = null;
    Object model = spec.getValue("model");
    if (model instanceof String ref) {
      AssetRef a = AssetRef.model(ref);
      List<JsonObject> versions = a.version() != null ? store.get(Store.MODEL, a.key()).stream().toList()
          : store.list(Store.MODEL, a.name() + ":");
      JsonObject m = versions.isEmpty() ? null : versions.get(versions.size() - 1);
      if (m == null) {
        throw new ValidationException("model: '" + ref + "' is not registered; register it first with 'model create "
            + "--name " + a.name() + " --version " + (a.version() == null ? "1" : a.version()) + " --path <folder>'");
      }
      modelFile = m.getString("path");
    } else if (model instanceof JsonObject m) {
      modelFile = m.getString("path");
    }
    String code = spec.getJsonObject("code_configuration").getString("code");
    String environment = null;
    Object env = spec.getValue("environment");
    if (env instanceof String ref) {
      AssetRef a = AssetRef.environment(ref);
      if (!a.registry() && store.get(Store.ENVIRONMENT, a.key()).isEmpty()) {
        throw new ValidationException("environment: '" + ref + "' is not registered; register it first with "
            + "'environment create --name " + a.name() + " --version " + a.version() + " ...'");
      }
      environment = a.name();
    }
    for (String id : new String[] {modelFile, code}) {
      if (id != null && !store.hasFile(id)) {
        throw new ValidationException("uploaded file " + id + " is not in the store; upload the folder again");
      }
    }
    return new DeploymentDoc.Resolved(modelFile, code, environment);
  }
}
