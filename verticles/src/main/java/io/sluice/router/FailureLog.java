package io.sluice.router;

import io.sluice.protocol.Answer;
import io.sluice.load.PerDeployment;
import io.sluice.protocol.DeploymentKey;
import java.util.EnumMap;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Requests that failed (never ran, or failed once they may have run; not a timeout, which is the deployment's own
 * limit), logged as one line per deployment per reason per {@link #WINDOW_NANOS} with how many there were: a
 * failing deployment under load must not write a line per request from the event loop. Router event loop only;
 * its keys are routed deployments (forgotten with them) times two reasons, so it stays small.
 */
final class FailureLog {
  static final long WINDOW_NANOS = 10_000_000_000L;

  private enum Reason { NEVER_RAN, FAILED }

  private final LongSupplier clock;
  private final Consumer<String> out;
  /** Per deployment and reason: [window start, failures since the last line]. */
  private final PerDeployment<EnumMap<Reason, long[]>> windows = new PerDeployment<>();

  FailureLog(LongSupplier nanoClock, Consumer<String> out) {
    this.clock = nanoClock;
    this.out = out;
  }

  void failed(String endpoint, String deployment, Answer answer) {
    Reason reason = answer instanceof Answer.NeverRan ? Reason.NEVER_RAN
        : answer instanceof Answer.Failed f && !f.timedOut() ? Reason.FAILED : null;
    if (reason == null) {
      return;
    }
    long now = clock.getAsLong();
    long[] w = windows.computeIfAbsent(endpoint, deployment, (e, d) -> new EnumMap<>(Reason.class))
        .computeIfAbsent(reason, r -> new long[] {now - WINDOW_NANOS, 0});
    w[1]++;
    if (now - w[0] >= WINDOW_NANOS) {
      out.accept("scoring requests to " + endpoint + "/" + deployment + " "
          + (reason == Reason.NEVER_RAN ? "never ran" : "failed") + ": " + w[1] + (w[1] == 1 ? " request" : " requests")
          + " since the last such line (at most one per 10 s); the last: " + detail(answer));
      w[0] = now;
      w[1] = 0;
    }
  }

  /** Forgets deployments no longer routed. */
  void retain(Set<DeploymentKey> live) {
    windows.removeIf((e, d) -> !live.contains(new DeploymentKey(e, d)));
  }

  private static String detail(Answer a) {
    return a instanceof Answer.NeverRan n ? n.reason() : ((Answer.Failed) a).reason();
  }
}
