package io.sluice.load;

import io.sluice.load.Bucket.Samples;
import io.sluice.load.Bucket.SliceSum;
import io.sluice.load.Bucket.Tiers;
import io.sluice.mirror.AnswerComparison;
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
import java.util.EnumMap;
import java.util.TreeMap;
import java.util.zip.DataFormatException;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

/**
 * The cluster's load, merged from every router's {@link LoadReport}s (directly on the load hub, from its digests
 * elsewhere): per deployment (live and mirror apart), one bucket per second with answers by kind, requests in flight
 * and a latency histogram, and a coarse tier of one bucket per {@link #COARSE_SECONDS} for the dashboard's longer
 * windows. Rollout judging, autoscaling and the dashboard read windows and series of it. Bounded: per-second buckets
 * older than the retention are dropped, coarse ones older than {@link #HISTORY_SECONDS} (360 of them: the coarse
 * tier costs at most 40 % more than the per-second one at the default retention), and at most {@code maxSeries}
 * deployments are kept (the one used longest ago goes first); histograms are packed, so a second costs what its
 * latencies spread over, not the histogram's whole range. No Vert.x; thread-safe.
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

  /** A slice of a history: the answers from its first second over the step, and how mirrored answers compared. */
  public record Slice(Stats stats, long compared, long agreed) {
  }

  /** The coarse tier's slice, and how far back it goes (the dashboard's longest window: an hour). */
  public static final int COARSE_SECONDS = 10;
  public static final long HISTORY_SECONDS = 3600;

  private final long retentionSeconds;
  private final int maxSeries;
  /** Access order: the first entry is the series used longest ago. */
  private final LinkedHashMap<Key, Tiers> series = new LinkedHashMap<>(16, 0.75f, true);
  /** Mirror series: the first and the last mismatches, cluster-wide. */
  private final Map<Key, Samples> samples = new HashMap<>();

  public LoadPicture(long retentionSeconds, int maxSeries) {
    this.retentionSeconds = retentionSeconds;
    this.maxSeries = maxSeries;
  }

  /** Merges one report (a router's, or one second of a hub's digest); {@code nowSecond}: this node's clock. */
  public void add(LoadReport r, long nowSecond) {
    add(r, latencies(r), nowSecond);
  }

  /**
   * The same with its histograms decoded already ({@link #latencies}); the decoding happens before the lock is taken:
   * routers read their shares under the same lock from their event loops.
   */
  public void add(LoadReport r, List<Histogram> latencies, long nowSecond) {
    if (r.second() <= nowSecond - retentionSeconds || r.second() > nowSecond + 60) {
      return; // too old to keep, or from a clock far ahead of ours
    }
    merge(r, latencies, nowSecond);
  }

  /** A report's latency histograms, decoded, one per deployment (null where it had none or a malformed one). */
  public static List<Histogram> latencies(LoadReport r) {
    List<Histogram> out = new ArrayList<>(r.deployments().size());
    for (LoadReport.DeploymentLoad d : r.deployments()) {
      out.add(decode(d.latency()));
    }
    return out;
  }

  private synchronized void merge(LoadReport r, List<Histogram> latencies, long nowSecond) {
    for (int i = 0; i < r.deployments().size(); i++) {
      LoadReport.DeploymentLoad d = r.deployments().get(i);
      Key key = new Key(d.endpoint(), d.deployment(), d.mirror());
      Tiers tiers = series.computeIfAbsent(key, k -> new Tiers());
      Bucket.at(tiers.seconds, r.second()).add(d, latencies.get(i), true);
      Bucket.at(tiers.coarse, r.second() - Math.floorMod(r.second(), COARSE_SECONDS)).add(d, latencies.get(i), false);
      LoadReport.Comparison c = d.comparison();
      if (c != null) {
        c.samples().stream().limit(DigestBuilder.SAMPLES).forEach(x -> samples.computeIfAbsent(key,
            k -> new Samples()).add(x));
      }
      trim(tiers.seconds, nowSecond - retentionSeconds);
      trim(tiers.coarse, nowSecond - Math.max(retentionSeconds, HISTORY_SECONDS));
    }
    while (series.size() > maxSeries) {
      Iterator<Key> oldest = series.keySet().iterator();
      samples.remove(oldest.next());
      oldest.remove();
    }
  }

  private static void trim(ArrayDeque<Bucket> buckets, long dropUpTo) {
    while (!buckets.isEmpty() && buckets.peekFirst().second <= dropUpTo) {
      buckets.pollFirst();
    }
  }

  /** The per-second buckets of a series (empty when none). */
  private ArrayDeque<Bucket> seconds(Key key) {
    Tiers t = series.get(key);
    return t == null ? new ArrayDeque<>() : t.seconds;
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
      int last = 0;
      for (Bucket b : seconds(key)) {
        if (b.second >= fromSecond && b.second <= toSecond) {
          for (int i = 0; i < sum.length; i++) {
            sum[i] += b.byKind[i];
          }
          merged.add(b.latency);
          last = b.inFlight;
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
    for (Bucket b : seconds(key)) {
      if (b.second >= fromSecond && b.second <= toSecond) {
        b.comparison.forEach((kind, n) -> sum.merge(kind, n, Long::sum));
      }
    }
    Samples s = samples.get(key);
    List<JsonObject> kept = new ArrayList<>();
    if (s != null) {
      kept.addAll(s.all());
    }
    return LoadReport.Comparison.of(sum, kept);
  }

  /** One {@link Stats} per second that had any answers, oldest first. */
  public List<Stats> series(Key key, long fromSecond, long toSecond) {
    return history(List.of(key), fromSecond, toSecond, 1).stream().map(Slice::stats).toList();
  }

  /**
   * The series of {@code keys} together, in slices of {@code step} seconds (1: the per-second tier, as far back as
   * the retention; {@link #COARSE_SECONDS}: the coarse tier, an hour back), oldest first, only slices with answers
   * or comparisons. A slice's in-flight is the sum over the keys of what their last report in it said.
   */
  public synchronized List<Slice> history(List<Key> keys, long fromSecond, long toSecond, int step) {
    TreeMap<Long, SliceSum> slices = new TreeMap<>();
    forEachBucket(keys, fromSecond, toSecond, step, b -> slices.computeIfAbsent(b.second, x -> new SliceSum()).add(b));
    List<Slice> out = new ArrayList<>(slices.size());
    slices.forEach((second, sum) -> out.add(sum.slice(second, second + step - 1)));
    return out;
  }

  /** The series of {@code keys} together over the whole window, from the tier of {@code step} (as in history). */
  public synchronized Slice total(List<Key> keys, long fromSecond, long toSecond, int step) {
    SliceSum sum = new SliceSum();
    forEachBucket(keys, fromSecond, toSecond, step, sum::add);
    return sum.slice(fromSecond, toSecond);
  }

  private void forEachBucket(List<Key> keys, long fromSecond, long toSecond, int step,
                             java.util.function.Consumer<Bucket> action) {
    if (step != 1 && step != COARSE_SECONDS) {
      throw new IllegalArgumentException("step: 1 or " + COARSE_SECONDS);
    }
    for (Key key : keys) {
      Tiers t = series.get(key);
      for (Bucket b : t == null ? new ArrayDeque<Bucket>() : step == 1 ? t.seconds : t.coarse) {
        if (b.second + step > fromSecond && b.second <= toSecond) {
          action.accept(b);
        }
      }
    }
  }

  /**
   * This router's share of each live deployment's answers over the window (0..1): its own answers ({@code own})
   * over the cluster's, for deployments with at least {@code minAnswers} answers in it. The window should end a
   * second or two back: a digest brings the other routers' seconds a second or two after this router's own.
   */
  public synchronized Map<DeploymentKey, Double> shares(OwnLoad own, long fromSecond, long toSecond,
                                                        long minAnswers) {
    Map<DeploymentKey, Double> out = new HashMap<>();
    series.forEach((key, tiers) -> {
      if (key.mirror()) {
        return;
      }
      long all = 0;
      for (Bucket b : tiers.seconds) {
        if (b.second >= fromSecond && b.second <= toSecond) {
          all += b.answers();
        }
      }
      if (all >= minAnswers) {
        DeploymentKey k = new DeploymentKey(key.endpoint(), key.deployment());
        out.put(k, Math.min(1.0, (double) own.answers(k, fromSecond, toSecond) / all));
      }
    });
    return out;
  }

  /**
   * Each live deployment's requests in flight at the other routers: per second of the window, the cluster's sum less
   * this router's own ({@code own}), and the least of those (a report is one instant; a burst that came and went
   * within the window does not count twice); 0 when no router reported in the window (nothing in flight).
   */
  public synchronized Map<DeploymentKey, Integer> inFlightElsewhere(OwnLoad own, long fromSecond, long toSecond) {
    Map<DeploymentKey, Integer> out = new HashMap<>();
    series.forEach((key, tiers) -> {
      if (key.mirror()) {
        return;
      }
      DeploymentKey k = new DeploymentKey(key.endpoint(), key.deployment());
      int least = Integer.MAX_VALUE;
      for (Bucket b : tiers.seconds) {
        if (b.second >= fromSecond && b.second <= toSecond) {
          least = Math.min(least, Math.max(0, b.inFlight - own.inFlight(k, b.second)));
        }
      }
      out.put(k, least == Integer.MAX_VALUE ? 0 : least);
    });
    return out;
  }

  /** The series now kept: for tests and for the bound. */
  public synchronized List<Key> keys() {
    return new ArrayList<>(series.keySet());
  }

  static Stats stats(long from, long to, long[] k, int inFlight, Histogram h) {
    boolean any = h != null && h.getTotalCount() > 0;
    return new Stats(from, to, k[0], k[1], k[2], k[3], inFlight,
        any ? h.getValueAtPercentile(50) / 1000.0 : 0, any ? h.getValueAtPercentile(99) / 1000.0 : 0);
  }
}
