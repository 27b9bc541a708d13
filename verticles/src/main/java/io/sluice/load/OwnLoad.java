package io.sluice.load;

import io.sluice.protocol.DeploymentKey;
import io.sluice.protocol.LoadReport;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A router's own reports of its last {@link #KEEP} seconds, per live deployment: its answers and what it held in
 * flight. The load picture holds only the cluster's sums (digests carry no router's part), so a router's share of a
 * deployment's answers, and what the other routers hold, are its own counts against those sums. Confined to the
 * router's event loop.
 */
public final class OwnLoad {
  static final int KEEP = 8;

  /** One live deployment in one second: answers, and in flight when the second was reported. */
  private record Counts(long answers, int inFlight) {
  }

  private final TreeMap<Long, Map<DeploymentKey, Counts>> seconds = new TreeMap<>();

  /** This router's report of a second, as it went to the hub. */
  public void add(LoadReport r) {
    Map<DeploymentKey, Counts> second = seconds.computeIfAbsent(r.second(), s -> new HashMap<>());
    for (LoadReport.DeploymentLoad d : r.deployments()) {
      if (!d.mirror()) {
        second.merge(new DeploymentKey(d.endpoint(), d.deployment()),
            new Counts(d.ok() + d.clientErrors() + d.throttled() + d.serverErrors(), d.inFlight()),
            (a, b) -> new Counts(a.answers + b.answers, a.inFlight + b.inFlight));
      }
    }
    while (seconds.size() > KEEP) {
      seconds.pollFirstEntry();
    }
  }

  /** This router's answers of {@code key} from {@code fromSecond} to {@code toSecond} (inclusive). */
  long answers(DeploymentKey key, long fromSecond, long toSecond) {
    long sum = 0;
    for (Map<DeploymentKey, Counts> second : seconds.subMap(fromSecond, true, toSecond, true).values()) {
      Counts c = second.get(key);
      sum += c == null ? 0 : c.answers;
    }
    return sum;
  }

  /** What this router held in flight for {@code key} as it reported {@code second} (0 when it did not report it). */
  int inFlight(DeploymentKey key, long second) {
    Map<DeploymentKey, Counts> s = seconds.get(second);
    Counts c = s == null ? null : s.get(key);
    return c == null ? 0 : c.inFlight;
  }
}
