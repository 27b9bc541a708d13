package io.sluice.protocol;

import io.sluice.mirror.AnswerComparison;
import java.util.EnumMap;
import java.util.Map;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * What one router answered in one second, per deployment: published on {@link Addresses#LOAD} about once a second,
 * merged by every node's load picture. Mirror copies are reported apart from live answers. The latency histogram
 * is an HdrHistogram in its compressed encoding (microseconds), base64.
 */
public record LoadReport(String router, long second, List<DeploymentLoad> deployments) {

  /**
   * One deployment's answers in that second, by kind (see {@link #kind}), and its requests in flight now. For the
   * copies mirrored to it, also how their answers compared with the live answers ({@code comparison}, null for live
   * series).
   */
  public record DeploymentLoad(String endpoint, String deployment, boolean mirror, long ok, long clientErrors,
                               long throttled, long serverErrors, int inFlight, String latency,
                               Comparison comparison) {

    static DeploymentLoad fromJson(JsonObject j) {
      JsonObject c = j.getJsonObject("comparison");
      return new DeploymentLoad(j.getString("endpoint"), j.getString("deployment"), j.getBoolean("mirror", false),
          j.getLong("ok", 0L), j.getLong("client_errors", 0L), j.getLong("throttled", 0L),
          j.getLong("server_errors", 0L), j.getInteger("in_flight", 0), j.getString("latency"),
          c == null ? null : Comparison.fromJson(c));
    }

    JsonObject toJson() {
      return new JsonObject().put("endpoint", endpoint).put("deployment", deployment).put("mirror", mirror)
          .put("ok", ok).put("client_errors", clientErrors).put("throttled", throttled)
          .put("server_errors", serverErrors).put("in_flight", inFlight).put("latency", latency)
          .put("comparison", comparison == null ? null : comparison.toJson());
    }
  }

  /**
   * Mirrored answers compared with the live answers to the same requests: agreed, mismatched by kind (status, JSON
   * structure, value), not compared (an answer too large or missing), and a few mismatches as samples (request id,
   * differing paths, both bodies cut short).
   */
  public record Comparison(long agreed, long status, long structure, long value, long notCompared,
                           List<JsonObject> samples) {
    public long compared() {
      return agreed + status + structure + value;
    }

    /** From counts by kind (a kind not in {@code counts} counts 0). */
    public static Comparison of(Map<AnswerComparison.Kind, Long> counts, List<JsonObject> samples) {
      return new Comparison(counts.getOrDefault(AnswerComparison.Kind.AGREED, 0L),
          counts.getOrDefault(AnswerComparison.Kind.STATUS, 0L),
          counts.getOrDefault(AnswerComparison.Kind.STRUCTURE, 0L), counts.getOrDefault(AnswerComparison.Kind.VALUE, 0L),
          counts.getOrDefault(AnswerComparison.Kind.NOT_COMPARED, 0L), samples);
    }

    /** The counts by kind. */
    public Map<AnswerComparison.Kind, Long> counts() {
      Map<AnswerComparison.Kind, Long> m = new EnumMap<>(AnswerComparison.Kind.class);
      m.put(AnswerComparison.Kind.AGREED, agreed);
      m.put(AnswerComparison.Kind.STATUS, status);
      m.put(AnswerComparison.Kind.STRUCTURE, structure);
      m.put(AnswerComparison.Kind.VALUE, value);
      m.put(AnswerComparison.Kind.NOT_COMPARED, notCompared);
      return m;
    }

    static Comparison fromJson(JsonObject j) {
      List<JsonObject> samples = new ArrayList<>();
      j.getJsonArray("samples", new JsonArray()).forEach(o -> samples.add((JsonObject) o));
      return new Comparison(j.getLong("agreed", 0L), j.getLong("status", 0L), j.getLong("structure", 0L),
          j.getLong("value", 0L), j.getLong("not_compared", 0L), samples);
    }

    JsonObject toJson() {
      return new JsonObject().put("agreed", agreed).put("status", status).put("structure", structure)
          .put("value", value).put("not_compared", notCompared).put("samples", new JsonArray(new ArrayList<>(samples)));
    }
  }

  /** How an answer counts: the rollout judge counts server faults as errors, never the client's own mistakes. */
  public enum Kind { OK, CLIENT_ERROR, THROTTLED, SERVER_ERROR }

  /** 2xx: ok; 429: throttled; 408, 424 and 5xx (and anything else): server faults; other 4xx: the client's error. */
  public static Kind kind(int status) {
    if (status >= 200 && status < 300) {
      return Kind.OK;
    }
    if (status == 429) {
      return Kind.THROTTLED;
    }
    if (status >= 400 && status < 500 && status != 408 && status != 424) {
      return Kind.CLIENT_ERROR;
    }
    return Kind.SERVER_ERROR;
  }

  public static LoadReport fromJson(JsonObject j) {
    List<DeploymentLoad> deps = new ArrayList<>();
    j.getJsonArray("deployments", new JsonArray()).forEach(o -> deps.add(DeploymentLoad.fromJson((JsonObject) o)));
    return new LoadReport(j.getString("router"), j.getLong("second", 0L), deps);
  }

  public JsonObject toJson() {
    JsonArray deps = new JsonArray();
    deployments.forEach(d -> deps.add(d.toJson()));
    return new JsonObject().put("router", router).put("second", second).put("deployments", deps);
  }
}
