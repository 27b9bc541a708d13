package io.sluice.endpoints;

import io.sluice.protocol.ScaleSettings;
import io.sluice.protocol.ValidationException;
import io.sluice.protocol.WholeNumbers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Azure's rules for endpoint and deployment specs, as pure functions: each failure is a
 * {@link ValidationException} naming the field and the rule; a success returns the spec with Azure's
 * defaults filled in. No Vert.x, no I/O.
 */
public final class SpecValidator {
  private SpecValidator() {
  }

  static final Pattern NAME = Pattern.compile("^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$");
  public static final Set<String> AUTH_MODES = Set.of("key", "aml_token");
  public static final int MAX_TIMEOUT_MS = 180_000;
  public static final int MAX_INSTANCES = 1000;

  private static final Set<String> ENDPOINT_FIELDS = Set.of("$schema", "name", "description", "tags", "auth_mode",
      "identity", "traffic", "mirror_traffic", "public_network_access", "kind", "properties", "mirror_comparison",
      "compute");
  private static final Set<String> DEPLOYMENT_FIELDS = Set.of("$schema", "name", "endpoint_name", "description",
      "tags", "model", "model_mount_path", "code_configuration", "environment_variables", "environment",
      "instance_type", "instance_count", "app_insights_enabled", "scale_settings", "request_settings",
      "liveness_probe", "readiness_probe", "data_collector", "egress_public_network_access", "type", "properties",
      "resources", "inference_protocol");
  private static final Set<String> REQUEST_SETTINGS = Set.of("request_timeout_ms",
      "max_concurrent_requests_per_instance", "max_queue_wait_ms", "max_batch_size", "max_batch_wait_ms");
  /** Sluice's batching extension: up to how many waiting requests one run_batch() call takes, and the wait. */
  public static final int MAX_BATCH_SIZE = 1024;
  public static final int MAX_BATCH_WAIT_MS = 1000;
  private static final Set<String> PROBE_FIELDS = Set.of("initial_delay", "period", "timeout", "success_threshold",
      "failure_threshold");

  /** Azure SDK's wording. {@code what} is "an endpoint" or "a deployment". */
  public static void name(String field, String what, Object value) {
    if (!(value instanceof String name) || name.isEmpty()) {
      throw new ValidationException(field + ": a name is required");
    }
    if (name.length() < 3 || name.length() > 32) {
      throw new ValidationException(field + ": the name for " + what
          + " must be at least 3 and at most 32 characters long (inclusive of both limits); got '" + name + "'");
    }
    if (!NAME.matcher(name).matches() || name.contains("--")) {
      throw new ValidationException(field + ": the name for " + what
          + " must start with an upper- or lowercase letter and only consist of single '-'s and alphanumeric "
          + "characters, not ending with '-'; got '" + name + "'");
    }
  }

  /** A new endpoint: checks the fields and fills in Azure's defaults. Traffic cannot be set at creation. */
  public static JsonObject endpoint(JsonObject spec) {
    unknownFields("", spec, ENDPOINT_FIELDS);
    name("name", "an endpoint", spec.getValue("name"));
    JsonObject out = new JsonObject().put("name", spec.getString("name"));
    out.put("description", optString(spec, "description", ""));
    out.put("tags", optObject(spec, "tags"));
    out.put("auth_mode", authMode(spec.getValue("auth_mode", "key")));
    for (String f : new String[] {"traffic", "mirror_traffic"}) {
      Object t = spec.getValue(f);
      if (t instanceof JsonObject o && !strip(percentMap(f, o)).isEmpty()) {
        throw new ValidationException(f + ": traffic cannot be set when an endpoint is created, because its "
            + "deployments do not exist yet; create the deployments, then use online-endpoint update --traffic");
      } else if (t != null && !(t instanceof JsonObject)) {
        throw new ValidationException(f + ": must be a map of deployment name to percent");
      }
    }
    Object pna = spec.getValue("public_network_access", "enabled");
    if (!"enabled".equals(pna) && !"disabled".equals(pna)) {
      throw new ValidationException("public_network_access: must be 'enabled' or 'disabled'");
    }
    out.put("public_network_access", pna);
    if (spec.containsKey("mirror_comparison")) {
      out.put("mirror_comparison", io.sluice.mirror.ComparisonSettings.validate(spec.getValue("mirror_comparison")));
    }
    String compute = KubernetesRules.compute(spec.getValue("compute"));
    if (compute != null) {
      out.put("compute", compute);
    }
    return out;
  }

  public static String authMode(Object v) {
    if (!(v instanceof String s)) {
      throw new ValidationException("auth_mode: must be one of key, aml_token");
    }
    String m = s.toLowerCase();
    if ("aad_token".equals(m)) {
      throw new ValidationException("auth_mode: aad_token needs Microsoft Entra ID, which a self-hosted cluster does "
          + "not have; use key or aml_token");
    }
    if (!AUTH_MODES.contains(m)) {
      throw new ValidationException("auth_mode: must be one of key, aml_token; got '" + s + "'");
    }
    return m;
  }

  /** A percent map: deployment name -> whole number 0..100. */
  public static Map<String, Integer> percentMap(String field, JsonObject map) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : map) {
      Object v = e.getValue();
      int pct;
      if (v instanceof Integer || v instanceof Long || v instanceof Short) {
        pct = ((Number) v).intValue();
      } else if (v instanceof String s && s.matches("\\d{1,3}")) {
        pct = Integer.parseInt(s);
      } else {
        throw new ValidationException(field + "." + e.getKey() + ": must be a whole number of percent; got " + v);
      }
      if (pct < 0 || pct > 100) {
        throw new ValidationException(field + "." + e.getKey() + ": must be between 0 and 100; got " + pct);
      }
      out.put(e.getKey().toLowerCase(), pct);
    }
    return out;
  }

  /** Azure's client strips 0% entries: a deployment with 0% is simply absent. */
  public static Map<String, Integer> strip(Map<String, Integer> m) {
    Map<String, Integer> out = new LinkedHashMap<>();
    m.forEach((k, v) -> {
      if (v != 0) {
        out.put(k, v);
      }
    });
    return out;
  }

  /**
   * Azure's traffic rules: keys are existing deployments; live traffic sums to 0 or 100; at most one mirror
   * deployment, at most 50%; a deployment takes live or mirrored traffic, never both.
   */
  public static void traffic(Map<String, Integer> traffic, Map<String, Integer> mirror, Set<String> deployments) {
    int sum = 0;
    for (Map.Entry<String, Integer> e : traffic.entrySet()) {
      if (!deployments.contains(e.getKey())) {
        throw new ValidationException("traffic." + e.getKey() + ": the endpoint has no deployment named '"
            + e.getKey() + "' (deployments: " + (deployments.isEmpty() ? "none" : String.join(", ",
            new java.util.TreeSet<>(deployments))) + ")");
      }
      sum += e.getValue();
    }
    if (sum != 0 && sum != 100) {
      throw new ValidationException("traffic: the percentages must sum to 0 (no live traffic) or 100; they sum to "
          + sum);
    }
    Map<String, Integer> live = strip(mirror);
    if (live.size() > 1) {
      throw new ValidationException("mirror_traffic: at most one deployment can receive mirrored traffic; got "
          + String.join(", ", live.keySet()));
    }
    for (Map.Entry<String, Integer> e : live.entrySet()) {
      if (!deployments.contains(e.getKey())) {
        throw new ValidationException("mirror_traffic." + e.getKey() + ": the endpoint has no deployment named '"
            + e.getKey() + "'");
      }
      if (e.getValue() > 50) {
        throw new ValidationException("mirror_traffic." + e.getKey() + ": at most 50 percent can be mirrored; got "
            + e.getValue());
      }
      if (traffic.getOrDefault(e.getKey(), 0) > 0) {
        throw new ValidationException("mirror_traffic." + e.getKey() + ": deployment '" + e.getKey()
            + "' has live traffic (" + traffic.get(e.getKey()) + "%); a deployment can receive live or mirrored "
            + "traffic, not both");
      }
    }
  }

  /**
   * A deployment spec as the API receives it (files already uploaded, so code and model paths are file ids):
   * checks every field and fills in Azure's defaults.
   */
  public static JsonObject deployment(JsonObject spec) {
    unknownFields("", spec, DEPLOYMENT_FIELDS);
    name("name", "a deployment", spec.getValue("name"));
    name("endpoint_name", "an endpoint", spec.getValue("endpoint_name"));
    JsonObject out = new JsonObject()
        .put("name", spec.getString("name"))
        .put("endpoint_name", spec.getString("endpoint_name"))
        .put("description", optString(spec, "description", ""))
        .put("tags", optObject(spec, "tags"));

    Object model = spec.getValue("model");
    if (model instanceof String s) {
      AssetRef.model(s); // validates
      out.put("model", s);
    } else if (model instanceof JsonObject m) {
      unknownFields("model.", m, Set.of("path", "name", "version", "description", "type", "$schema"));
      if (!(m.getValue("path") instanceof String p) || !p.startsWith(Uploads.ID_PREFIX)) {
        throw new ValidationException("model.path: must name an uploaded folder (the CLI uploads it); got "
            + m.getValue("path"));
      }
      out.put("model", m.copy());
    } else if (model != null) {
      throw new ValidationException("model: must be 'azureml:<name>:<version>' or an object with 'path'");
    }

    JsonObject cc = objectField(spec, "code_configuration");
    if (cc == null) {
      throw new ValidationException("code_configuration: required (code and scoring_script)");
    }
    unknownFields("code_configuration.", cc, Set.of("code", "scoring_script"));
    if (!(cc.getValue("code") instanceof String code) || !code.startsWith(Uploads.ID_PREFIX)) {
      throw new ValidationException("code_configuration.code: must name an uploaded folder (the CLI uploads it); got "
          + cc.getValue("code"));
    }
    if (!(cc.getValue("scoring_script") instanceof String script) || script.isBlank()) {
      throw new ValidationException("code_configuration.scoring_script: required (a file in the code folder, e.g. "
          + "score.py, or a Java class name)");
    }
    out.put("code_configuration", new JsonObject().put("code", code).put("scoring_script", script));

    Object env = spec.getValue("environment");
    if (env instanceof String s) {
      AssetRef.environment(s);
      out.put("environment", s);
    } else if (env instanceof JsonObject e) {
      unknownFields("environment.", e, Set.of("image", "conda_file", "build", "name", "version", "description",
          "inference_config", "os_type", "tags", "$schema"));
      if (e.getValue("image") == null && e.getValue("build") == null) {
        throw new ValidationException("environment: one of 'image' or 'build' is required");
      }
      out.put("environment", e.copy());
    } else if (env == null) {
      throw new ValidationException("environment: required ('azureml:<name>:<version>', a registry reference, or "
          + "an inline environment with image and conda_file)");
    } else {
      throw new ValidationException("environment: must be a string reference or an object");
    }

    JsonObject vars = optObject(spec, "environment_variables");
    JsonObject envVars = new JsonObject();
    vars.forEach(en -> {
      if (en.getValue() instanceof JsonObject || en.getValue() instanceof JsonArray) {
        throw new ValidationException("environment_variables." + en.getKey() + ": must be a string");
      }
      envVars.put(en.getKey(), en.getValue() == null ? "" : String.valueOf(en.getValue()));
    });
    out.put("environment_variables", envVars);

    boolean kubernetes = KubernetesRules.type(spec.getValue("type"));
    out.put("type", kubernetes ? "kubernetes" : "managed");
    Object instanceType = spec.getValue("instance_type", kubernetes ? KubernetesRules.DEFAULT_INSTANCE_TYPE : null);
    if (!(instanceType instanceof String it) || it.isBlank()) {
      throw new ValidationException("instance_type: required (a VM size such as Standard_DS3_v2, or a type your "
          + "nodes offer)");
    }
    out.put("instance_type", it);
    ScaleSettings scale = ScaleSettings.validate(spec.getValue("scale_settings"), MAX_INSTANCES);
    if (!scale.autoscaled()) {
      out.put("instance_count", intField(spec, "instance_count", null, 1, MAX_INSTANCES));
    } else if (spec.getValue("instance_count") != null) { // kept for the service to compare with the current count
      out.put("instance_count", intField(spec, "instance_count", null, 1, MAX_INSTANCES));
    }
    if (kubernetes || spec.containsKey("resources")) {
      out.put("resources", KubernetesRules.resources(spec.getValue("resources")));
    }

    JsonObject rs = optObject(spec, "request_settings");
    unknownFields("request_settings.", rs, REQUEST_SETTINGS);
    int maxTimeout = kubernetes ? KubernetesRules.MAX_TIMEOUT_MS : MAX_TIMEOUT_MS;
    out.put("request_settings", new JsonObject()
        .put("request_timeout_ms", intField(rs, "request_timeout_ms", 5000, 1, maxTimeout, "request_settings."))
        .put("max_concurrent_requests_per_instance",
            intField(rs, "max_concurrent_requests_per_instance", 1, 1, 1000, "request_settings."))
        .put("max_queue_wait_ms", intField(rs, "max_queue_wait_ms", 500, 0, MAX_TIMEOUT_MS, "request_settings."))
        .put("max_batch_size", intField(rs, "max_batch_size", 1, 1, MAX_BATCH_SIZE, "request_settings."))
        .put("max_batch_wait_ms", intField(rs, "max_batch_wait_ms", 5, 0, MAX_BATCH_WAIT_MS, "request_settings.")));
    for (String probe : new String[] {"liveness_probe", "readiness_probe"}) {
      JsonObject p = optObject(spec, probe);
      unknownFields(probe + ".", p, PROBE_FIELDS);
      String pre = probe + ".";
      out.put(probe, new JsonObject()
          .put("initial_delay", intField(p, "initial_delay", 10, 1, 3600, pre))
          .put("period", intField(p, "period", 10, 1, 3600, pre))
          .put("timeout", intField(p, "timeout", 2, 1, 3600, pre))
          .put("success_threshold", intField(p, "success_threshold", 1, 1, 100, pre))
          .put("failure_threshold", intField(p, "failure_threshold", 30, 1, 1000, pre)));
    }
    if (out.getJsonObject("liveness_probe").getInteger("success_threshold") != 1) {
      throw new ValidationException("liveness_probe.success_threshold: must be 1 for a liveness probe");
    }
    out.put("scale_settings", scale.toJson());
    Object ai = spec.getValue("app_insights_enabled", false);
    if (!(ai instanceof Boolean)) {
      throw new ValidationException("app_insights_enabled: must be true or false");
    }
    out.put("app_insights_enabled", ai);
    if (spec.getValue("data_collector") != null) {
      out.put("data_collector", io.sluice.collect.DataCollection.parse(spec.getValue("data_collector")).toJson());
    }
    if (spec.getValue("inference_protocol") != null) {
      out.put("inference_protocol", io.sluice.protocol.InferenceProtocol.validate(spec.getValue("inference_protocol")));
    }
    return out;
  }

  static void unknownFields(String prefix, JsonObject o, Set<String> known) {
    for (String k : o.fieldNames()) {
      if (!known.contains(k)) {
        throw new ValidationException(prefix + k + ": unknown field (known: " + String.join(", ",
            new java.util.TreeSet<>(known)) + ")");
      }
    }
  }

  private static String optString(JsonObject o, String f, String dflt) {
    Object v = o.getValue(f);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof String s)) {
      throw new ValidationException(f + ": must be a string");
    }
    return s;
  }

  private static JsonObject optObject(JsonObject o, String f) {
    Object v = o.getValue(f);
    if (v == null) {
      return new JsonObject();
    }
    if (!(v instanceof JsonObject j)) {
      throw new ValidationException(f + ": must be a map");
    }
    return j;
  }

  private static JsonObject objectField(JsonObject o, String f) {
    Object v = o.getValue(f);
    if (v != null && !(v instanceof JsonObject)) {
      throw new ValidationException(f + ": must be a map");
    }
    return (JsonObject) v;
  }

  private static int intField(JsonObject o, String f, Integer dflt, int min, int max) {
    return intField(o, f, dflt, min, max, "");
  }

  static int intField(JsonObject o, String f, Integer dflt, int min, int max, String prefix) {
    return WholeNumbers.field(o, f, dflt, min, max, prefix);
  }
}
