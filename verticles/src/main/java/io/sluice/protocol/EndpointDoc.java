package io.sluice.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An endpoint's desired state: typed where the cluster acts on it (identity, auth, keys, traffic, mirror, state,
 * revision); {@code spec} keeps the rest of Azure's fields (description, tags, ...). As stored it holds the keys
 * and no hashes; as sent to routers ({@link #forRouters}) it holds only keyed hashes of the keys. {@code uid} names
 * this incarnation of the endpoint: a deleted and re-created endpoint of the same name has another, and tokens
 * carry it.
 */
public record EndpointDoc(String name, String uid, String authMode, String primaryKey, String secondaryKey,
                          List<String> keyHashes, Map<String, Integer> traffic, Map<String, Integer> mirror,
                          ProvisioningState state, int revision, JsonObject spec) {

  private static final List<String> TYPED = List.of("name", "uid", "auth_mode", "keys", "key_hashes", "traffic",
      "mirror_traffic", "provisioning_state", "revision");

  /**
   * The compute name of its {@code compute: azureml:<name>} (validated when the endpoint was written), or null:
   * instances go only to nodes that offer it.
   */
  public String computeName() {
    String c = spec.getString("compute");
    return c == null || !c.startsWith("azureml:") ? c : c.substring("azureml:".length());
  }

  public static EndpointDoc fromJson(JsonObject j) {
    JsonObject spec = j.copy();
    TYPED.forEach(spec::remove);
    JsonObject keys = j.getJsonObject("keys", new JsonObject());
    List<String> hashes = new ArrayList<>();
    j.getJsonArray("key_hashes", new JsonArray()).forEach(h -> hashes.add(String.valueOf(h)));
    return new EndpointDoc(j.getString("name"), j.getString("uid", ""), j.getString("auth_mode"),
        keys.getString("primary"), keys.getString("secondary"), List.copyOf(hashes),
        percents(j.getJsonObject("traffic")), percents(j.getJsonObject("mirror_traffic")),
        ProvisioningState.of(j.getString("provisioning_state")), j.getInteger("revision", 1), spec);
  }

  /** What routers get: the keys replaced by {@code hash} of each (they check a presented key by hashing it). */
  public EndpointDoc forRouters(java.util.function.UnaryOperator<String> hash) {
    List<String> hashes = new ArrayList<>();
    if (primaryKey != null) {
      hashes.add(hash.apply(primaryKey));
    }
    if (secondaryKey != null) {
      hashes.add(hash.apply(secondaryKey));
    }
    return new EndpointDoc(name, uid, authMode, null, null, List.copyOf(hashes), traffic, mirror, state, revision,
        spec);
  }

  private static Map<String, Integer> percents(JsonObject o) {
    Map<String, Integer> m = new LinkedHashMap<>();
    if (o != null) {
      o.forEach(e -> m.put(e.getKey(), ((Number) e.getValue()).intValue()));
    }
    return m;
  }

  /** The whole document: as stored, keys included; as sent to routers, key hashes instead. */
  public JsonObject toJson() {
    JsonObject j = spec.copy().put("name", name).put("uid", uid).put("auth_mode", authMode);
    if (primaryKey != null || secondaryKey != null) {
      j.put("keys", new JsonObject().put("primary", primaryKey).put("secondary", secondaryKey));
    }
    if (!keyHashes.isEmpty()) {
      j.put("key_hashes", new JsonArray(new ArrayList<>(keyHashes)));
    }
    return j.put("traffic", new JsonObject(new LinkedHashMap<>(traffic)))
        .put("mirror_traffic", new JsonObject(new LinkedHashMap<>(mirror)))
        .put("provisioning_state", state.name()).put("revision", revision);
  }

  public int trafficOf(String deployment) {
    return traffic.getOrDefault(deployment, 0);
  }

  public int mirrorOf(String deployment) {
    return mirror.getOrDefault(deployment, 0);
  }

  public EndpointDoc withKeys(String primary, String secondary) {
    return new EndpointDoc(name, uid, authMode, primary, secondary, keyHashes, traffic, mirror, state, revision, spec);
  }

  public EndpointDoc withTraffic(Map<String, Integer> newTraffic, Map<String, Integer> newMirror) {
    return new EndpointDoc(name, uid, authMode, primaryKey, secondaryKey, keyHashes, newTraffic, newMirror, state,
        revision, spec);
  }

  public EndpointDoc withState(ProvisioningState next) {
    return new EndpointDoc(name, uid, authMode, primaryKey, secondaryKey, keyHashes, traffic, mirror, next, revision,
        spec);
  }
}
