package io.sluice.rollout;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The verdict on a replay step: the target's answers to recorded requests against the recorded answers, by the
 * mirror comparison's rules. Needs {@code min(min_requests, replay_first)} compared answers, else inconclusive (never
 * a pass); then the agreement must reach {@code min_agreement}. Pure.
 */
public final class ReplayJudge {
  /** At most this many mismatches travel in the verdict (what {@code rollout show} and the dashboard print). */
  public static final int SAMPLES = 5;

  private ReplayJudge() {
  }

  /** How a replay went: pairs found, answers compared (and agreed), pairs not compared (no answer, too large). */
  public record Tally(int asked, int recorded, long compared, long agreed, long notCompared, List<JsonObject> mismatches) {
    double percent() {
      return compared == 0 ? 0 : 100.0 * agreed / compared;
    }
  }

  /** A replay that could not be run at all: inconclusive, saying why. */
  public static Judge.Verdict couldNotRun(Throwable why) {
    return new Judge.Verdict(Judge.Outcome.INCONCLUSIVE, List.of("the replay could not run: "
        + (why.getMessage() == null ? why.toString() : why.getMessage())), Map.of());
  }

  public static Judge.Verdict judge(Tally t, Judge.Criteria c) {
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("replay_recorded", t.recorded());
    figures.put("replay_compared", t.compared());
    figures.put("replay_agreed", t.agreed());
    figures.put("replay_not_compared", t.notCompared());
    figures.put("agreement", Math.round(t.percent() * 1000) / 1000.0);
    figures.put("mismatches", new JsonArray(new ArrayList<>(t.mismatches().subList(0,
        Math.min(SAMPLES, t.mismatches().size())))));
    List<String> reasons = new ArrayList<>();
    long needed = Math.min(c.minRequests(), t.asked());
    if (t.recorded() == 0) {
      reasons.add("no recorded request with its response to replay (the live deployments' data_collector has none "
          + "yet)");
      return new Judge.Verdict(Judge.Outcome.INCONCLUSIVE, reasons, figures);
    }
    if (t.compared() < needed) {
      reasons.add(String.format(Locale.ROOT, "too few compared answers: %d of the %d needed (%d recorded pairs found)",
          t.compared(), needed, t.recorded()));
      return new Judge.Verdict(Judge.Outcome.INCONCLUSIVE, reasons, figures);
    }
    if (t.percent() < c.minAgreement()) {
      reasons.add(String.format(Locale.ROOT, "replay agreement %.2f%% < %.2f%% (%d of %d replayed answers agreed with "
          + "the recorded ones)", t.percent(), c.minAgreement(), t.agreed(), t.compared()));
    }
    return new Judge.Verdict(reasons.isEmpty() ? Judge.Outcome.PASS : Judge.Outcome.FAIL, reasons, figures);
  }
}
