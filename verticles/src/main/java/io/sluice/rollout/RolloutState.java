package io.sluice.rollout;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rollout as stored (one per endpoint, the current or the last): its plan, the traffic and mirror maps from before
 * it (what a rollback restores), where it is (step index: -2 replaying, -1 mirroring first; the second its window started;
 * inconclusive windows in a row), every verdict with its figures, and how it ended. {@code revision} orders the
 * runner's writes after user commands (pause, abort) that came in between.
 */
public record RolloutState(String endpoint, RolloutPlan plan, Map<String, Integer> beforeTraffic,
                           Map<String, Integer> beforeMirror, Status status, int step, long windowStart,
                           int inconclusive, List<JsonObject> verdicts, String reason, int revision) {

  public enum Status {
    Running, Paused, Succeeded, RolledBack, Aborted;

    /** Still holding the endpoint's traffic: manual traffic changes are refused meanwhile. */
    public boolean active() {
      return this == Running || this == Paused;
    }
  }

  public RolloutState with(Status s, int nextStep, long start, int inconclusiveNow, List<JsonObject> allVerdicts,
                           String why) {
    return new RolloutState(endpoint, plan, beforeTraffic, beforeMirror, s, nextStep, start, inconclusiveNow,
        allVerdicts, why, revision + 1);
  }

  /** The step that is replaying recorded requests; -1 is mirroring first, 0 on the live steps. */
  public static final int REPLAY = -2;
  public static final int MIRROR = -1;

  /** The percent the target has at the current step ("mirror N%" while mirroring first, "replay N" replaying). */
  public String stepLabel() {
    return step == REPLAY ? "replay " + plan.replayFirst() : step == MIRROR ? "mirror " + plan.mirrorFirst() + "%"
        : plan.steps().get(step) + "%";
  }

  /** The step after this one passed: replay, then mirror (when asked for), then the live steps in order. */
  public int nextStep() {
    return step == REPLAY ? (plan.mirrorFirst() > 0 ? MIRROR : 0) : step + 1;
  }

  public JsonObject toJson() {
    return new JsonObject().put("endpoint", endpoint).put("plan", plan.toJson())
        .put("before", new JsonObject().put("traffic", new JsonObject(new LinkedHashMap<>(beforeTraffic)))
            .put("mirror_traffic", new JsonObject(new LinkedHashMap<>(beforeMirror))))
        .put("status", status.name()).put("step", step).put("window_start", windowStart)
        .put("inconclusive", inconclusive).put("verdicts", new JsonArray(new ArrayList<>(verdicts)))
        .put("reason", reason).put("revision", revision);
  }

  public static RolloutState fromJson(JsonObject j) {
    List<JsonObject> verdicts = new ArrayList<>();
    j.getJsonArray("verdicts", new JsonArray()).forEach(o -> verdicts.add((JsonObject) o));
    JsonObject before = j.getJsonObject("before", new JsonObject());
    return new RolloutState(j.getString("endpoint"), RolloutPlan.fromJson(j.getJsonObject("plan")),
        percents(before.getJsonObject("traffic")), percents(before.getJsonObject("mirror_traffic")),
        Status.valueOf(j.getString("status")), j.getInteger("step"), j.getLong("window_start"),
        j.getInteger("inconclusive", 0), verdicts, j.getString("reason"), j.getInteger("revision", 1));
  }

  private static Map<String, Integer> percents(JsonObject o) {
    Map<String, Integer> m = new LinkedHashMap<>();
    if (o != null) {
      o.forEach(e -> m.put(e.getKey(), ((Number) e.getValue()).intValue()));
    }
    return m;
  }
}
