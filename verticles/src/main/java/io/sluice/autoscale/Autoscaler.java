package io.sluice.autoscale;

import io.sluice.protocol.ScaleSettings;
import java.util.List;

/**
 * The autoscaling decision, pure. Utilization = requests in flight at all routers ÷ (max_concurrent_requests_per_
 * instance × instances). The count that keeps it at the target is ceil(in flight ÷ (capacity × target)).
 * <ul>
 *   <li><b>Up promptly:</b> over the last {@link #PANIC_SECONDS} seconds (a burst) or the stable window, whichever
 *       asks for more; a jump straight to the count needed, not a step.</li>
 *   <li><b>Down slowly:</b> only when every second of the last {@code scale_down_delay} seconds (the stable window)
 *       would have been served by fewer instances, and then one instance per decision (each goes through the drain,
 *       so a scale-down fails no request). A window this scaler has not watched in full (it just began to lead, or
 *       just scaled up) never scales down.</li>
 *   <li>Always within [min_instances, max_instances].</li>
 * </ul>
 */
public final class Autoscaler {
  public static final int PANIC_SECONDS = 6;

  private Autoscaler() {
  }

  /** One second of a deployment's load: requests in flight at all routers together, on average over that second. */
  public record Second(long second, double inFlight) {
  }

  /** The count to run, and why, with the figures {@code show} reports. */
  public record Decision(int desired, double utilizationPercent, double panicInFlight, double stableInFlight,
                         String reason) {
  }

  /**
   * @param current      the count the deployment runs at now (the last decision, or min_instances)
   * @param perInstance  max_concurrent_requests_per_instance
   * @param seconds      the load of the seconds up to {@code now} (missing seconds had no load)
   * @param watchedSince the first second this scaler saw in full since it began or last scaled up
   */
  public static Decision decide(ScaleSettings s, int current, int perInstance, List<Second> seconds, long now,
                                long watchedSince) {
    double target = perInstance * s.targetUtilizationPercentage() / 100.0;
    long stableFrom = now - s.scaleDownDelay() + 1;
    double panic = average(seconds, now - PANIC_SECONDS + 1, now);
    double stable = average(seconds, stableFrom, now);
    int wanted = Math.max(need(panic, target), need(stable, target));
    int peak = seconds.stream().filter(x -> x.second() >= stableFrom && x.second() <= now)
        .mapToInt(x -> need(x.inFlight(), target)).max().orElse(0);
    double utilization = current == 0 ? 0 : 100.0 * panic / (perInstance * (double) current);
    int desired = current;
    String why;
    if (wanted > current) {
      desired = wanted;
      why = "scale up: " + fmt(panic) + " in flight over " + PANIC_SECONDS + " s, " + fmt(stable) + " over "
          + s.scaleDownDelay() + " s; " + wanted + " instances keep them at " + s.targetUtilizationPercentage() + " %";
    } else if (peak < current && watchedSince <= stableFrom) {
      desired = current - 1;
      why = "scale down by one: at most " + peak + " instances were needed in each of the last " + s.scaleDownDelay()
          + " s";
    } else {
      why = "steady: " + fmt(panic) + " in flight over " + PANIC_SECONDS + " s, " + fmt(stable) + " over "
          + s.scaleDownDelay() + " s";
    }
    int clamped = Math.max(s.minInstances(), Math.min(s.maxInstances(), desired));
    if (clamped != desired) {
      why += clamped > desired ? "; held at min_instances " + clamped : "; held at max_instances " + clamped;
    }
    return new Decision(clamped, utilization, panic, stable, why);
  }

  private static int need(double inFlight, double perInstanceTarget) {
    return inFlight <= 0 ? 0 : (int) Math.ceil(inFlight / perInstanceTarget - 1e-9);
  }

  private static double average(List<Second> seconds, long from, long to) {
    double sum = 0;
    for (Second x : seconds) {
      if (x.second() >= from && x.second() <= to) {
        sum += x.inFlight();
      }
    }
    return sum / Math.max(1, to - from + 1);
  }

  private static String fmt(double d) {
    return Double.toString(Math.round(d * 100) / 100.0);
  }
}
