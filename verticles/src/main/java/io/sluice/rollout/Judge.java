package io.sluice.rollout;

import io.sluice.load.LoadPicture.Stats;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The verdict on one window of a rollout step: the target deployment against the live ones over the same window,
 * from the cluster's load picture. Too few answers is inconclusive, never a pass. Pure: the rollout runner acts on it.
 */
public final class Judge {
  private Judge() {
  }

  /**
   * A p99 over the ratio fails only when it is also this much above live's: below a millisecond, two p99s of the
   * same model on a busy machine differ by more than 1.5x (measured: 1.00 against 0.66 ms for identical code).
   */
  public static final double P99_NOISE_MS = 1.0;

  /** The limits of {@code rollout start} (percentages as plain numbers, as in --traffic). */
  public record Criteria(long minRequests, double maxErrorRate, double maxErrorRateIncrease, double maxP99Ratio,
                         double minAgreement) {
    public static final Criteria DEFAULT = new Criteria(100, 1, 0.5, 1.5, 99);
  }

  /** Mirrored answers compared with live answers in the window: how many were compared, how many agreed. */
  public record Agreement(long compared, long agreed) {
    double percent() {
      return compared == 0 ? 0 : 100.0 * agreed / compared;
    }
  }

  public enum Outcome { PASS, FAIL, INCONCLUSIVE }

  /** The outcome, every reason it failed (or why it could not judge), and the figures it used. */
  public record Verdict(Outcome outcome, List<String> reasons, Map<String, Object> figures) {
    public JsonObject toJson() {
      return new JsonObject().put("outcome", outcome.name()).put("reasons", new JsonArray(new ArrayList<>(reasons)))
          .put("figures", new JsonObject(new LinkedHashMap<>(figures)));
    }

    public static Verdict fromJson(JsonObject j) {
      List<String> reasons = new ArrayList<>();
      j.getJsonArray("reasons", new JsonArray()).forEach(o -> reasons.add(String.valueOf(o)));
      return new Verdict(Outcome.valueOf(j.getString("outcome")), reasons,
          j.getJsonObject("figures", new JsonObject()).getMap());
    }
  }

  /**
   * Judges {@code target} against {@code live}. A live side with fewer than {@code minRequests} answers (e.g. at the
   * last step, when the target has all the traffic) is not compared: only the absolute limits apply, and the verdict
   * says so. While mirroring first, {@code target} is the copies' answers and {@code agreement} how they compared
   * with live's (null otherwise); a window needs {@code minRequests} compared answers too.
   */
  public static Verdict judge(Stats target, Stats live, Agreement agreement, Criteria c) {
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("target_answers", target.answers());
    figures.put("target_error_rate", round(target.errorRatePercent()));
    figures.put("target_p99_ms", round(target.p99Ms()));
    figures.put("live_answers", live.answers());
    figures.put("live_error_rate", round(live.errorRatePercent()));
    figures.put("live_p99_ms", round(live.p99Ms()));
    List<String> reasons = new ArrayList<>();
    long judged = target.answers();
    String counted = "requests";
    if (agreement != null) {
      figures.put("mirror_compared", agreement.compared());
      figures.put("agreement", round(agreement.percent()));
      if (agreement.compared() < judged) { // copies not compared (too large, no answer) tell nothing of agreement
        judged = agreement.compared();
        counted = "compared answers";
      }
    }
    if (judged < c.minRequests()) {
      reasons.add(String.format(Locale.ROOT, "too few %s: %d of the %d needed", counted, judged, c.minRequests()));
      return new Verdict(Outcome.INCONCLUSIVE, reasons, figures);
    }
    absoluteAndRelative(target, live, c, reasons, figures);
    if (agreement != null && agreement.percent() < c.minAgreement()) {
      reasons.add(String.format(Locale.ROOT, "agreement %.2f%% < %.2f%% (%d of %d mirrored answers agreed)",
          agreement.percent(), c.minAgreement(), agreement.agreed(), agreement.compared()));
    }
    return new Verdict(reasons.isEmpty() ? Outcome.PASS : Outcome.FAIL, reasons, figures);
  }

  private static void absoluteAndRelative(Stats target, Stats live, Criteria c, List<String> reasons,
                                          Map<String, Object> figures) {
    double err = target.errorRatePercent();
    if (err > c.maxErrorRate()) {
      reasons.add(String.format(Locale.ROOT, "error rate %.2f%% > max %.2f%% (%d server faults of %d)", err,
          c.maxErrorRate(), target.serverErrors(), target.ok() + target.serverErrors()));
    }
    if (live.answers() < c.minRequests()) {
      figures.put("compared_with_live", false);
      return;
    }
    figures.put("compared_with_live", true);
    double limit = live.errorRatePercent() + c.maxErrorRateIncrease();
    if (err > limit) {
      reasons.add(String.format(Locale.ROOT, "error rate %.2f%% > live's %.2f%% + %.2f", err,
          live.errorRatePercent(), c.maxErrorRateIncrease()));
    }
    if (live.p99Ms() > 0 && target.p99Ms() > c.maxP99Ratio() * live.p99Ms()
        && target.p99Ms() - live.p99Ms() > P99_NOISE_MS) {
      reasons.add(String.format(Locale.ROOT, "p99 %.2f ms > %.2f x live's %.2f ms", target.p99Ms(), c.maxP99Ratio(),
          live.p99Ms()));
    }
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
