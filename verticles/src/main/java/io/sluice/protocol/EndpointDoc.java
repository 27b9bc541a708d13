package io.sluice.protocol;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An endpoint's desired state as stored and as sent to routers: typed where the cluster acts on it (auth, keys,
 * traffic, mirror, state, revision); {@code spec} keeps the rest of Azure's fields (description, tags, ...).
 */
public record EndpointDoc(String name, String authMode, String primaryKey, String secondaryKey,
                          Map<String, Integer> traffic, Map<String, Integer> mirror, ProvisioningState state,
                          int revision, JsonObject spec) {

  private static final List<String> TYPED = List.of("name", "auth_mode", "keys", "traffic", "mirror_traffic",
      "provisioning_state", "revision");

  public static EndpointDoc fromJson(JsonObject j) {
    JsonObject spec = j.copy();
    TYPED.forEach(spec::remove);
    JsonObject keys = j.getJsonObject("keys", new JsonObject());
    return new EndpointDoc(j.getString("name"), j.getString("auth_mode"), keys.getString("primary"),
        keys.getString("secondary"), percents(j.getJsonObject("traffic")), percents(j.getJsonObject("mirror_traffic")),
        ProvisioningState.of(j.getString("provisioning_state")), j.getInteger("revision", 1), spec);
  }

  private static Map<String, Integer> percents(JsonObject o) {
    Map<String, Integer> m = new LinkedHashMap<>();
    if (o != null) {
      o.forEach(e -> m.put(e.getKey(), ((Number) e.getValue()).intValue()));
    }
    return m;
  }

  /** The whole document, as stored (keys included). */
  public JsonObject toJson() {
    return spec.copy().put("name", name).put("auth_mode", authMode)
        .put("keys", new JsonObject().put("primary", primaryKey).put("secondary", secondaryKey))
        .put("traffic", new JsonObject(new LinkedHashMap<>(traffic)))
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
    return new EndpointDoc(name, authMode, primary, secondary, traffic, mirror, state, revision, spec);
  }

  public EndpointDoc withTraffic(Map<String, Integer> newTraffic, Map<String, Integer> newMirror) {
    return new EndpointDoc(name, authMode, primaryKey, secondaryKey, newTraffic, newMirror, state, revision, spec);
  }

  public EndpointDoc withState(ProvisioningState next) {
    return new EndpointDoc(name, authMode, primaryKey, secondaryKey, traffic, mirror, next, revision, spec);
  }
}
