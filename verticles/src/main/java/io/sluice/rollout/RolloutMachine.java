package io.sluice.rollout;

import io.sluice.rollout.RolloutState.Status;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a rollout moves: where it starts, what a verdict does to it, and the traffic and mirror maps each state puts
 * in force. A pass moves to the next step (or ends Succeeded after 100 %); a failure rolls back at once to the maps
 * from before; inconclusive windows are judged again up to {@code max_inconclusive} in a row, then the policy
 * applies ({@code hold}: Paused, {@code rollback}: RolledBack). Pure: the endpoint-manager writes what it returns.
 */
public final class RolloutMachine {
  private RolloutMachine() {
  }

  /** A state and the endpoint's traffic and mirror maps while in it. */
  public record Move(RolloutState state, Map<String, Integer> traffic, Map<String, Integer> mirror) {
  }

  public static Move start(String endpoint, RolloutPlan plan, Map<String, Integer> traffic,
                           Map<String, Integer> mirror, long now) {
    int first = plan.replayFirst() > 0 ? RolloutState.REPLAY : plan.mirrorFirst() > 0 ? RolloutState.MIRROR : 0;
    RolloutState s = new RolloutState(endpoint, plan, Map.copyOf(traffic), Map.copyOf(mirror), Status.Running,
        first, now, 0, List.of(), null, 1);
    return inForce(s);
  }

  /** The maps a state puts in force: its step's weights, before's when it ended other than Succeeded. */
  public static Move inForce(RolloutState s) {
    String target = s.plan().target();
    boolean restored = s.status() == Status.RolledBack || s.status() == Status.Aborted;
    if (restored || s.step() == RolloutState.REPLAY) { // replaying changes nothing live
      return new Move(s, s.beforeTraffic(), s.beforeMirror());
    }
    if (s.step() == RolloutState.MIRROR) {
      return new Move(s, s.beforeTraffic(), Map.of(target, s.plan().mirrorFirst()));
    }
    Map<String, Integer> mirror = new LinkedHashMap<>(s.beforeMirror());
    mirror.remove(target); // a deployment with live traffic is never mirrored to (Azure's rule)
    return new Move(s, Weights.at(s.beforeTraffic(), target, s.plan().steps().get(s.step())), mirror);
  }

  /** The rollout after the verdict on its current window, judged at {@code now}. */
  public static Move judged(RolloutState s, Judge.Verdict v, long now) {
    List<JsonObject> verdicts = new ArrayList<>(s.verdicts());
    verdicts.add(new JsonObject().put("step", s.stepLabel()).put("outcome", v.outcome().name())
        .put("reasons", new JsonArray(new ArrayList<>(v.reasons()))).put("figures", new JsonObject(v.figures()))
        .put("from", s.windowStart()).put("to", now));
    List<JsonObject> kept = verdicts.size() > 200 ? verdicts.subList(verdicts.size() - 200, verdicts.size()) : verdicts;
    return switch (v.outcome()) {
      case PASS -> s.step() == s.plan().steps().size() - 1
          ? inForce(s.with(Status.Succeeded, s.step(), now, 0, kept, null))
          : inForce(s.with(Status.Running, s.nextStep(), now, 0, kept, null));
      case FAIL -> inForce(s.with(Status.RolledBack, s.step(), now, 0, kept,
          "step " + s.stepLabel() + " failed: " + String.join("; ", v.reasons())));
      case INCONCLUSIVE -> {
        int n = s.inconclusive() + 1;
        if (n < s.plan().maxInconclusive()) {
          yield inForce(s.with(Status.Running, s.step(), now, n, kept, null));
        }
        String why = "step " + s.stepLabel() + ": " + n + " inconclusive windows in a row ("
            + String.join("; ", v.reasons()) + ")";
        yield s.plan().onInconclusive() == RolloutPlan.OnInconclusive.ROLLBACK
            ? inForce(s.with(Status.RolledBack, s.step(), now, n, kept, why))
            : inForce(s.with(Status.Paused, s.step(), now, n, kept, why + "; held: resume to judge again, abort to "
                + "roll back"));
      }
    };
  }

  public static Move pause(RolloutState s) {
    return inForce(s.with(Status.Paused, s.step(), s.windowStart(), s.inconclusive(), s.verdicts(), "paused"));
  }

  /** Judging starts again with a fresh window of the step it was in. */
  public static Move resume(RolloutState s, long now) {
    return inForce(s.with(Status.Running, s.step(), now, 0, s.verdicts(), null));
  }

  public static Move abort(RolloutState s) {
    return inForce(s.with(Status.Aborted, s.step(), s.windowStart(), s.inconclusive(), s.verdicts(), "aborted"));
  }

  /** Seconds after a window ends before it is judged: routers report each second about a second later. */
  public static final int GRACE_SECONDS = 2;

  /** Whether the current window is over (and its last reports in) and due for a verdict; a replay has no window. */
  public static boolean due(RolloutState s, long now) {
    return s.status() == Status.Running && s.step() != RolloutState.REPLAY && now >= windowEnd(s) + GRACE_SECONDS;
  }

  /** Whether the rollout is replaying recorded requests to its target (the runner's replayer sends them). */
  public static boolean replaying(RolloutState s) {
    return s.status() == Status.Running && s.step() == RolloutState.REPLAY;
  }

  /** The window judged: the seconds after the step took effect, up to its interval (reports are labelled with the
   * second they end, so the first report of the window is labelled windowStart + 1). */
  public static long windowFrom(RolloutState s) {
    return s.windowStart() + 1;
  }

  public static long windowEnd(RolloutState s) {
    return s.windowStart() + s.plan().intervalSeconds();
  }
}
