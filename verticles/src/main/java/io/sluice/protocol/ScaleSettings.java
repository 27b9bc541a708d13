package io.sluice.protocol;

import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * A deployment's {@code scale_settings}: Azure's {@code default} (exactly {@code instance_count}) or
 * {@code target_utilization} (the autoscaler keeps in-flight requests near {@code target_utilization_percentage} of
 * what the instances can run at once, between {@code min_instances} and {@code max_instances}, deciding every
 * {@code polling_interval} seconds). {@code scale_down_delay} (seconds, a Sluice extension, default 60) is how long
 * the load must have stayed low before an instance is taken away.
 */
public record ScaleSettings(String type, int minInstances, int maxInstances, int pollingInterval,
                            int targetUtilizationPercentage, int scaleDownDelay) {
  public static final String DEFAULT = "default";
  public static final String TARGET_UTILIZATION = "target_utilization";
  public static final ScaleSettings FIXED = new ScaleSettings(DEFAULT, 1, 1, 1, 70, 60);
  private static final Set<String> FIELDS = Set.of("type", "min_instances", "max_instances", "polling_interval",
      "target_utilization_percentage", "scale_down_delay");

  public boolean autoscaled() {
    return TARGET_UTILIZATION.equals(type);
  }

  public static ScaleSettings fromJson(JsonObject j) {
    if (j == null || !TARGET_UTILIZATION.equals(j.getString("type"))) {
      return FIXED;
    }
    return new ScaleSettings(TARGET_UTILIZATION, j.getInteger("min_instances", 1), j.getInteger("max_instances", 1),
        j.getInteger("polling_interval", 1), j.getInteger("target_utilization_percentage", 70),
        j.getInteger("scale_down_delay", 60));
  }

  public JsonObject toJson() {
    if (!autoscaled()) {
      return new JsonObject().put("type", DEFAULT); // Azure strips every other key of a default scale setting
    }
    return new JsonObject().put("type", type).put("min_instances", minInstances).put("max_instances", maxInstances)
        .put("polling_interval", pollingInterval).put("target_utilization_percentage", targetUtilizationPercentage)
        .put("scale_down_delay", scaleDownDelay);
  }

  /**
   * Checks {@code scale_settings} as a user wrote it and fills in Azure's defaults (min 1, max 1, polling 1 s, 70 %).
   * {@code maxInstances}: the cluster's instance limit.
   */
  public static ScaleSettings validate(Object value, int maxInstances) {
    if (value == null) {
      return FIXED;
    }
    if (!(value instanceof JsonObject j)) {
      throw new ValidationException("scale_settings: must be a map with a 'type'");
    }
    Object type = j.getValue("type", DEFAULT);
    if (DEFAULT.equals(type)) {
      return FIXED;
    }
    if (!TARGET_UTILIZATION.equals(type)) {
      throw new ValidationException("scale_settings.type: must be 'default' or 'target_utilization'; got " + type);
    }
    for (String k : j.fieldNames()) {
      if (!FIELDS.contains(k)) {
        throw new ValidationException("scale_settings." + k + ": unknown field (known: " + String.join(", ",
            new java.util.TreeSet<>(FIELDS)) + ")");
      }
    }
    int min = whole(j, "min_instances", 1, 1, maxInstances);
    int max = whole(j, "max_instances", 1, 1, maxInstances);
    if (min > max) {
      throw new ValidationException("scale_settings.min_instances: must not be more than max_instances (" + max
          + "); got " + min);
    }
    return new ScaleSettings(TARGET_UTILIZATION, min, max, whole(j, "polling_interval", 1, 1, 3600),
        whole(j, "target_utilization_percentage", 70, 1, 100), whole(j, "scale_down_delay", 60, 1, 3600));
  }

  private static int whole(JsonObject j, String field, int dflt, int min, int max) {
    return WholeNumbers.field(j, field, dflt, min, max, "scale_settings.");
  }
}
