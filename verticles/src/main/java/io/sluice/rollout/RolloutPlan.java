package io.sluice.rollout;

import io.sluice.protocol.EndpointDoc;
import io.sluice.protocol.ValidationException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What {@code rollout start} asks for, checked: the target, its steps (percent of live traffic, increasing, ending at
 * 100), the window each step is judged on, the judge's limits, an optional mirror phase first, and what to do when
 * windows stay inconclusive, and an optional replay first: the last {@code replay_first} requests the live deployments
 * collected (data_collector request and response), sent to the target at {@code replay_rate} a second and its answers
 * compared with the recorded ones, before any mirror or live step. Every refusal names the field and the rule. Pure.
 */
public record RolloutPlan(String target, List<Integer> steps, int intervalSeconds, Judge.Criteria criteria,
                          int mirrorFirst, OnInconclusive onInconclusive, int maxInconclusive,
                          boolean deletePrevious, int replayFirst, int replayRate) {

  /** What {@code max_inconclusive} inconclusive windows in a row do: hold the step (pause) or roll back. */
  public enum OnInconclusive {
    HOLD, ROLLBACK;

    /** As written in the spec: {@code hold}, {@code rollback}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    static OnInconclusive of(Object label) {
      for (OnInconclusive o : values()) {
        if (o.label().equals(label)) {
          return o;
        }
      }
      throw new ValidationException("on_inconclusive: 'hold' or 'rollback'; got '" + label + "'");
    }
  }

  public static final int MAX_INTERVAL_SECONDS = 900;
  static final List<Integer> DEFAULT_STEPS = List.of(10, 25, 50, 100);
  static final String DEFAULT_INTERVAL = "30s";
  static final int DEFAULT_MAX_INCONCLUSIVE = 5;
  private static final Set<String> FIELDS = Set.of("deployment", "steps", "interval", "min_requests",
      "max_error_rate", "max_error_rate_increase", "max_p99_ratio", "mirror_first", "min_agreement",
      "on_inconclusive", "max_inconclusive", "delete_previous", "replay_first", "replay_rate");
  public static final int MAX_REPLAY = 10_000;
  static final int DEFAULT_REPLAY_RATE = 50;

  /** Checks {@code spec} against the endpoint as it is and the names of its deployments that are not Deleting. */
  public static RolloutPlan parse(JsonObject spec, EndpointDoc endpoint, Set<String> deployments) {
    for (String f : spec.fieldNames()) {
      if (!FIELDS.contains(f)) {
        throw new ValidationException(f + ": unknown field (fields: " + new java.util.TreeSet<>(FIELDS) + ")");
      }
    }
    if (!(spec.getValue("deployment") instanceof String target) || target.isBlank()) {
      throw new ValidationException("deployment: required, the deployment to roll out");
    }
    if (!deployments.contains(target)) {
      throw new ValidationException("deployment: '" + target + "' is not a deployment of endpoint '"
          + endpoint.name() + "' (deployments: " + new java.util.TreeSet<>(deployments) + ")");
    }
    boolean live = endpoint.traffic().entrySet().stream().anyMatch(e -> !e.getKey().equals(target) && e.getValue() > 0);
    if (!live) {
      throw new ValidationException("traffic: endpoint '" + endpoint.name() + "' has no live deployment besides '"
          + target + "' to judge it against; give one traffic first (online-endpoint update --traffic)");
    }
    List<Integer> steps = steps(spec.getValue("steps"), endpoint.trafficOf(target));
    Judge.Criteria c = new Judge.Criteria(
        whole(spec, "min_requests", Judge.Criteria.DEFAULT.minRequests(), 1, 1_000_000_000),
        percent(spec, "max_error_rate", Judge.Criteria.DEFAULT.maxErrorRate()),
        percent(spec, "max_error_rate_increase", Judge.Criteria.DEFAULT.maxErrorRateIncrease()),
        number(spec, "max_p99_ratio", Judge.Criteria.DEFAULT.maxP99Ratio(), 1, 1000),
        percent(spec, "min_agreement", Judge.Criteria.DEFAULT.minAgreement()));
    int interval = seconds(spec.getValue("interval", DEFAULT_INTERVAL));
    int mirrorFirst = (int) whole(spec, "mirror_first", 0, 0, 50);
    if (mirrorFirst > 0 && endpoint.trafficOf(target) > 0) {
      throw new ValidationException("mirror_first: '" + target + "' already has live traffic; mirroring goes only to a "
          + "deployment without it");
    }
    OnInconclusive policy = OnInconclusive.of(spec.getValue("on_inconclusive", OnInconclusive.HOLD.label()));
    int maxInconclusive = (int) whole(spec, "max_inconclusive", DEFAULT_MAX_INCONCLUSIVE, 1, 1000);
    Object del = spec.getValue("delete_previous", false);
    if (!(del instanceof Boolean deletePrevious)) {
      throw new ValidationException("delete_previous: true or false");
    }
    int replayFirst = (int) whole(spec, "replay_first", 0, 0, MAX_REPLAY);
    int replayRate = (int) whole(spec, "replay_rate", DEFAULT_REPLAY_RATE, 1, 1000);
    return new RolloutPlan(target, steps, interval, c, mirrorFirst, policy, maxInconclusive, deletePrevious,
        replayFirst, replayRate);
  }

  private static List<Integer> steps(Object v, int current) {
    List<Integer> steps = new ArrayList<>();
    if (v == null) {
      steps.addAll(DEFAULT_STEPS);
    } else {
      Iterable<?> items = v instanceof JsonArray a ? a : v instanceof String s ? List.of(s.trim().split("[\\s,]+"))
          : null;
      if (items == null) {
        throw new ValidationException("steps: a list of percents such as \"10 25 50 100\"");
      }
      for (Object o : items) {
        try {
          steps.add(o instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(o)));
        } catch (NumberFormatException e) {
          throw new ValidationException("steps: '" + o + "' is not a whole percent");
        }
      }
    }
    for (int i = 0; i < steps.size(); i++) {
      int p = steps.get(i);
      if (p < 1 || p > 100 || (i > 0 && p <= steps.get(i - 1))) {
        throw new ValidationException("steps: percents from 1 to 100, each larger than the one before; got " + steps);
      }
    }
    if (steps.isEmpty() || steps.get(steps.size() - 1) != 100) {
      throw new ValidationException("steps: must end at 100 (the target takes all the traffic); got " + steps);
    }
    if (steps.get(0) <= current) {
      throw new ValidationException("steps: must start above the target's current " + current + "%; got " + steps);
    }
    return steps;
  }

  /** "30s", "2m", "1h" or a number of seconds; 1 s to {@link #MAX_INTERVAL_SECONDS} (the load picture's window). */
  static int seconds(Object v) {
    String s = String.valueOf(v).trim().toLowerCase(Locale.ROOT);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,6})(s|m|h)?").matcher(s);
    if (!m.matches()) {
      throw new ValidationException("interval: a duration such as 30s, 2m or 1h; got '" + v + "'");
    }
    long n = Long.parseLong(m.group(1)) * ("m".equals(m.group(2)) ? 60 : "h".equals(m.group(2)) ? 3600 : 1);
    if (n < 1 || n > MAX_INTERVAL_SECONDS) {
      throw new ValidationException("interval: from 1s to " + MAX_INTERVAL_SECONDS + "s; got '" + v + "'");
    }
    return (int) n;
  }

  private static double number(JsonObject spec, String f, double dflt, double min, double max) {
    Object v = spec.getValue(f);
    if (v == null) {
      return dflt;
    }
    double d;
    try {
      d = v instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(v));
    } catch (NumberFormatException e) {
      throw new ValidationException(f + ": a number from " + fmt(min) + " to " + fmt(max) + "; got '" + v + "'");
    }
    if (!(d >= min && d <= max)) {
      throw new ValidationException(f + ": a number from " + fmt(min) + " to " + fmt(max) + "; got '" + v + "'");
    }
    return d;
  }

  private static double percent(JsonObject spec, String f, double dflt) {
    return number(spec, f, dflt, 0, 100);
  }

  private static long whole(JsonObject spec, String f, long dflt, long min, long max) {
    double d = number(spec, f, dflt, min, max);
    if (d != Math.rint(d)) {
      throw new ValidationException(f + ": a whole number; got '" + spec.getValue(f) + "'");
    }
    return (long) d;
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }

  /** What every field is when {@code rollout start} leaves it out (the dashboard's form shows them). */
  public static JsonObject defaults() {
    Judge.Criteria c = Judge.Criteria.DEFAULT;
    return new JsonObject().put("steps", new JsonArray(new ArrayList<>(DEFAULT_STEPS))).put("interval", DEFAULT_INTERVAL)
        .put("min_requests", c.minRequests()).put("max_error_rate", c.maxErrorRate())
        .put("max_error_rate_increase", c.maxErrorRateIncrease()).put("max_p99_ratio", c.maxP99Ratio())
        .put("min_agreement", c.minAgreement()).put("mirror_first", 0)
        .put("on_inconclusive", OnInconclusive.HOLD.label()).put("max_inconclusive", DEFAULT_MAX_INCONCLUSIVE)
        .put("delete_previous", false).put("replay_first", 0).put("replay_rate", DEFAULT_REPLAY_RATE);
  }

  public JsonObject toJson() {
    return new JsonObject().put("deployment", target).put("steps", new JsonArray(new ArrayList<>(steps)))
        .put("interval", intervalSeconds + "s").put("min_requests", criteria.minRequests())
        .put("max_error_rate", criteria.maxErrorRate()).put("max_error_rate_increase", criteria.maxErrorRateIncrease())
        .put("max_p99_ratio", criteria.maxP99Ratio()).put("min_agreement", criteria.minAgreement())
        .put("mirror_first", mirrorFirst).put("on_inconclusive", onInconclusive.label())
        .put("max_inconclusive", maxInconclusive).put("delete_previous", deletePrevious)
        .put("replay_first", replayFirst).put("replay_rate", replayRate);
  }

  /** A stored plan (as {@link #toJson} wrote it); no endpoint checks. */
  public static RolloutPlan fromJson(JsonObject j) {
    List<Integer> steps = new ArrayList<>();
    j.getJsonArray("steps").forEach(o -> steps.add(((Number) o).intValue()));
    return new RolloutPlan(j.getString("deployment"), steps, seconds(j.getString("interval")),
        new Judge.Criteria(j.getLong("min_requests"), j.getDouble("max_error_rate"),
            j.getDouble("max_error_rate_increase"), j.getDouble("max_p99_ratio"), j.getDouble("min_agreement")),
        j.getInteger("mirror_first"), OnInconclusive.of(j.getString("on_inconclusive")), j.getInteger("max_inconclusive"),
        j.getBoolean("delete_previous"), j.getInteger("replay_first", 0),
        j.getInteger("replay_rate", DEFAULT_REPLAY_RATE));
  }
}
