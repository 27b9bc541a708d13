package io.sluice.load;

import io.sluice.mirror.AnswerComparison;
import java.util.EnumMap;
import io.sluice.protocol.DeploymentKey;
import io.sluice.protocol.LoadReport;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.PackedHistogram;

/**
 * The cluster's load, merged from every router's {@link LoadReport}s: per deployment (live and mirror apart), one
 * bucket per second with answers by kind, requests in flight per router, and a latency histogram. Rollout judging,
 * autoscaling and the dashboard read windows and series of it. Bounded: buckets older than the retention are dropped
 * and at most {@code maxSeries} deployments are kept (the one used longest ago goes first); histograms are packed,
 * so a second costs what its latencies spread over, not the histogram's whole range. No Vert.x; thread-safe.
 */
public final class LoadPicture {
  /** One series: a deployment's live answers, or the copies mirrored to it. */
  public record Key(String endpoint, String deployment, boolean mirror) {
  }

  /** Answers over a window (or one second), summed over every router. Latencies in milliseconds. */
  public record Stats(long fromSecond, long toSecond, long ok, long clientErrors, long throttled, long serverErrors,
                      int inFlight, double p50Ms, double p99Ms) {
    public long answers() {
      return ok + clientErrors + throttled + serverErrors;
    }

    /** Server faults over the answers that were not the client's own error or a 429, in percent (0 when none). */
    public double errorRatePercent() {
      long judged = ok + serverErrors;
      return judged == 0 ? 0 : 100.0 * serverErrors / judged;
    }
  }

  private static final class Bucket {
    final long second;
    final long[] byKind = new long[LoadReport.Kind.values().length];
    final Map<String, Integer> inFlight = new HashMap<>(2);
    /** Answers per router that second (admission shares). */
    final Map<String, Long> byRouter = new HashMap<>(2);
    /** Mirror series: how its answers compared with the live ones, by kind. */
    final EnumMap<AnswerComparison.Kind, Long> comparison = new EnumMap<>(AnswerComparison.Kind.class);
    final Histogram latency = new PackedHistogram(1, LoadRecorder.newHistogram().getHighestTrackableValue(), 2);

    Bucket(long second) {
      this.second = second;
    }
  }

  private final long retentionSeconds;
  private final int maxSeries;
  /** Access order: the first entry is the series used longest ago. */
  private final LinkedHashMap<Key, ArrayDeque<Bucket>> series = new LinkedHashMap<>(16, 0.75f, true);
  /** Mirror series: the first {@link #FIRST_SAMPLES} and the last {@link #LAST_SAMPLES} mismatches, cluster-wide. */
  private final Map<Key, Samples> samples = new HashMap<>();
  static final int FIRST_SAMPLES = 20;
  static final int LAST_SAMPLES = 100;

  private static final class Samples {
    final List<JsonObject> first = new ArrayList<>();
    final ArrayDeque<JsonObject> last = new ArrayDeque<>();

    void add(JsonObject s) {
      if (first.size() < FIRST_SAMPLES) {
        first.add(s);
        return;
      }
      last.addLast(s);
      if (last.size() > LAST_SAMPLES) {
        last.pollFirst();
      }
    }
  }

  public LoadPicture(long retentionSeconds, int maxSeries) {
    this.retentionSeconds = retentionSeconds;
    this.maxSeries = maxSeries;
  }

  /**
   * Merges one router's report; {@code nowSecond} is this node's clock, for the retention. The histograms are
   * decoded before the lock is taken: routers read their shares under the same lock from their event loops.
   */
  public void add(LoadReport r, long nowSecond) {
    if (r.second() <= nowSecond - retentionSeconds || r.second() > nowSecond + 60) {
      return; // too old to keep, or from a clock far ahead of ours
    }
    List<Histogram> latencies = new ArrayList<>(r.deployments().size());
    for (LoadReport.DeploymentLoad d : r.deployments()) {
      latencies.add(decode(d.latency()));
    }
    merge(r, latencies, nowSecond);
  }

  private synchronized void merge(LoadReport r, List<Histogram> latencies, long nowSecond) {
    for (int i = 0; i < r.deployments().size(); i++) {
      LoadReport.DeploymentLoad d = r.deployments().get(i);
      ArrayDeque<Bucket> buckets = series.computeIfAbsent(new Key(d.endpoint(), d.deployment(), d.mirror()),
          k -> new ArrayDeque<>());
      Bucket b = bucket(buckets, r.second());
      b.byKind[0] += d.ok();
      b.byKind[1] += d.clientErrors();
      b.byKind[2] += d.throttled();
      b.byKind[3] += d.serverErrors();
      b.inFlight.put(r.router(), d.inFlight());
      b.byRouter.merge(r.router(), d.ok() + d.clientErrors() + d.throttled() + d.serverErrors(), Long::sum);
      Histogram h = latencies.get(i);
      if (h != null) {
        b.latency.add(h);
      }
      LoadReport.Comparison c = d.comparison();
      if (c != null) {
        c.counts().forEach((kind, n) -> b.comparison.merge(kind, n, Long::sum));
        Key key = new Key(d.endpoint(), d.deployment(), d.mirror());
        c.samples().stream().limit(LoadRecorder.SAMPLES_PER_SECOND).forEach(x -> samples.computeIfAbsent(key,
            k -> new Samples()).add(x));
      }
      trim(buckets, nowSecond);
    }
    while (series.size() > maxSeries) {
      Iterator<Key> oldest = series.keySet().iterator();
      samples.remove(oldest.next());
      oldest.remove();
    }
  }

  /** The bucket of {@code second}, made where it belongs (reports arrive nearly in order, so search from the end). */
  private static Bucket bucket(ArrayDeque<Bucket> buckets, long second) {
    if (buckets.isEmpty() || buckets.peekLast().second < second) {
      Bucket b = new Bucket(second);
      buckets.addLast(b);
      return b;
    }
    List<Bucket> later = new ArrayList<>();
    while (!buckets.isEmpty() && buckets.peekLast().second > second) {
      later.add(0, buckets.pollLast());
    }
    Bucket b = !buckets.isEmpty() && buckets.peekLast().second == second ? buckets.peekLast() : new Bucket(second);
    if (buckets.peekLast() != b) {
      buckets.addLast(b);
    }
    buckets.addAll(later);
    return b;
  }

  private void trim(ArrayDeque<Bucket> buckets, long nowSecond) {
    while (!buckets.isEmpty() && buckets.peekFirst().second <= nowSecond - retentionSeconds) {
      buckets.pollFirst();
    }
  }

  private static Histogram decode(String base64) {
    if (base64 == null || base64.isEmpty()) {
      return null;
    }
    try {
      return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 1);
    } catch (DataFormatException | IllegalArgumentException e) {
      return null; // a malformed report counts without latencies
    }
  }

  /** Everything answered from {@code fromSecond} to {@code toSecond} (inclusive); in flight: the last second's. */
  public Stats window(Key key, long fromSecond, long toSecond) {
    return window(List.of(key), fromSecond, toSecond);
  }

  /** The same over several series together (e.g. every live deployment of an endpoint). */
  public synchronized Stats window(List<Key> keys, long fromSecond, long toSecond) {
    long[] sum = new long[LoadReport.Kind.values().length];
    Histogram merged = LoadRecorder.newHistogram();
    int inFlight = 0;
    for (Key key : keys) {
      ArrayDeque<Bucket> buckets = series.get(key);
      int last = 0;
      if (buckets != null) {
        for (Bucket b : buckets) {
          if (b.second >= fromSecond && b.second <= toSecond) {
            for (int i = 0; i < sum.length; i++) {
              sum[i] += b.byKind[i];
            }
            merged.add(b.latency);
            last = b.inFlight.values().stream().mapToInt(Integer::intValue).sum();
          }
        }
      }
      inFlight += last;
    }
    return stats(fromSecond, toSecond, sum, inFlight, merged);
  }

  /**
   * How the answers mirrored to {@code key}'s deployment compared with live answers over the window, with the first
   * and last mismatch samples kept for the series (not only this window's).
   */
  public synchronized LoadReport.Comparison comparison(Key key, long fromSecond, long toSecond) {
    Map<AnswerComparison.Kind, Long> sum = new EnumMap<>(AnswerComparison.Kind.class);
    ArrayDeque<Bucket> buckets = series.get(key);
    if (buckets != null) {
      for (Bucket b : buckets) {
        if (b.second >= fromSecond && b.second <= toSecond) {
          b.comparison.forEach((kind, n) -> sum.merge(kind, n, Long::sum));
        }
      }
    }
    Samples s = samples.get(key);
    List<JsonObject> kept = new ArrayList<>();
    if (s != null) {
      kept.addAll(s.first);
      kept.addAll(s.last);
    }
    return LoadReport.Comparison.of(sum, kept);
  }

  /** One {@link Stats} per second that had any answers, oldest first. */
  public synchronized List<Stats> series(Key key, long fromSecond, long toSecond) {
    List<Stats> out = new ArrayList<>();
    ArrayDeque<Bucket> buckets = series.get(key);
    if (buckets != null) {
      for (Bucket b : buckets) {
        if (b.second >= fromSecond && b.second <= toSecond) {
          out.add(stats(b.second, b.second, b.byKind, b.inFlight.values().stream().mapToInt(Integer::intValue).sum(),
              b.latency));
        }
      }
    }
    return out;
  }

  /**
   * Each live deployment's share of its answers that came through {@code router} over the window
   * (0..1), for deployments with at least {@code minAnswers} answers in it.
   */
  public synchronized Map<DeploymentKey, Double> shares(String router, long fromSecond, long toSecond,
                                                        long minAnswers) {
    Map<DeploymentKey, Double> out = new HashMap<>();
    series.forEach((key, buckets) -> {
      if (key.mirror()) {
        return;
      }
      long all = 0;
      long mine = 0;
      for (Bucket b : buckets) {
        if (b.second >= fromSecond && b.second <= toSecond) {
          for (long n : b.byRouter.values()) {
            all += n;
          }
          mine += b.byRouter.getOrDefault(router, 0L);
        }
      }
      if (all >= minAnswers) {
        out.put(new DeploymentKey(key.endpoint(), key.deployment()), (double) mine / all);
      }
    });
    return out;
  }

  /**
   * Each live deployment's requests in flight at routers other than {@code router}: per router the least it reported
   * within the window (a report is one instant; a burst that came and went within it does not count twice), 0 for a
   * router that did not report (nothing in flight).
   */
  public synchronized Map<DeploymentKey, Integer> inFlightElsewhere(String router, long fromSecond, long toSecond) {
    Map<DeploymentKey, Integer> out = new HashMap<>();
    series.forEach((key, buckets) -> {
      if (key.mirror()) {
        return;
      }
      Map<String, Integer> least = new HashMap<>();
      for (Bucket b : buckets) {
        if (b.second >= fromSecond && b.second <= toSecond) {
          b.inFlight.forEach((r, n) -> least.merge(r, n, Math::min));
        }
      }
      least.remove(router);
      out.put(new DeploymentKey(key.endpoint(), key.deployment()),
          least.values().stream().mapToInt(Integer::intValue).sum());
    });
    return out;
  }

  /** The series now kept: for tests and for the bound. */
  public synchronized List<Key> keys() {
    return new ArrayList<>(series.keySet());
  }

  private static Stats stats(long from, long to, long[] k, int inFlight, Histogram h) {
    boolean any = h.getTotalCount() > 0;
    return new Stats(from, to, k[0], k[1], k[2], k[3], inFlight,
        any ? h.getValueAtPercentile(50) / 1000.0 : 0, any ? h.getValueAtPercentile(99) / 1000.0 : 0);
  }
}
