package io.sluice.load;

import io.sluice.mirror.AnswerComparison;
import io.sluice.protocol.LoadReport;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.PackedHistogram;

/**
 * One bucket of a series in {@link LoadPicture}: a second (or a coarse slice, labelled with its first second) of
 * answers by kind, a packed latency histogram and mirror comparison counts; per-second buckets keep the requests in
 * flight too (the sum of what each router, or each digest's routers, held as it reported). Not thread-safe: the
 * picture holds its lock.
 */
final class Bucket {
  final long second;
  final long[] byKind = new long[LoadReport.Kind.values().length];
  int inFlight;
  /** Mirror series: how its answers compared with the live ones, by kind. */
  final EnumMap<AnswerComparison.Kind, Long> comparison = new EnumMap<>(AnswerComparison.Kind.class);
  final Histogram latency = new PackedHistogram(1, LoadRecorder.newHistogram().getHighestTrackableValue(), 2);

  private Bucket(long second) {
    this.second = second;
  }

  long answers() {
    return byKind[0] + byKind[1] + byKind[2] + byKind[3];
  }

  /**
   * Adds a report of a deployment (one router's, or a digest's sum of several); {@code perSecond}: this is the
   * per-second tier, which keeps in flight too (a router reports a second once, so the parts add up).
   */
  void add(LoadReport.DeploymentLoad d, Histogram h, boolean perSecond) {
    byKind[0] += d.ok();
    byKind[1] += d.clientErrors();
    byKind[2] += d.throttled();
    byKind[3] += d.serverErrors();
    if (perSecond) {
      inFlight += d.inFlight();
    }
    if (h != null) {
      latency.add(h);
    }
    if (d.comparison() != null) {
      d.comparison().counts().forEach((kind, n) -> comparison.merge(kind, n, Long::sum));
    }
  }

  /** The bucket of {@code second}, made where it belongs (reports arrive nearly in order, so search from the end). */
  static Bucket at(ArrayDeque<Bucket> buckets, long second) {
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

  /** A series' two tiers: one bucket a second, and one a {@link LoadPicture#COARSE_SECONDS}. */
  static final class Tiers {
    final ArrayDeque<Bucket> seconds = new ArrayDeque<>();
    final ArrayDeque<Bucket> coarse = new ArrayDeque<>();
  }

  /** The buckets of one slice of a history, over one or more series. */
  static final class SliceSum {
    private final long[] byKind = new long[LoadReport.Kind.values().length];
    private final Map<AnswerComparison.Kind, Long> comparison = new EnumMap<>(AnswerComparison.Kind.class);
    private int inFlight;
    /** The only bucket's histogram, until a second bucket makes a merged copy necessary. */
    private Histogram latency;
    private boolean merged;

    void add(Bucket b) {
      for (int i = 0; i < byKind.length; i++) {
        byKind[i] += b.byKind[i];
      }
      b.comparison.forEach((kind, n) -> comparison.merge(kind, n, Long::sum));
      inFlight += b.inFlight;
      if (latency == null) {
        latency = b.latency;
      } else {
        if (!merged) {
          Histogram copy = LoadRecorder.newHistogram();
          copy.add(latency);
          latency = copy;
          merged = true;
        }
        latency.add(b.latency);
      }
    }

    LoadPicture.Slice slice(long from, long to) {
      long agreed = comparison.getOrDefault(AnswerComparison.Kind.AGREED, 0L);
      long compared = agreed + comparison.getOrDefault(AnswerComparison.Kind.STATUS, 0L)
          + comparison.getOrDefault(AnswerComparison.Kind.STRUCTURE, 0L)
          + comparison.getOrDefault(AnswerComparison.Kind.VALUE, 0L);
      return new LoadPicture.Slice(LoadPicture.stats(from, to, byKind, inFlight, latency), compared, agreed);
    }
  }

  /** A mirror series' mismatch samples: the first {@link #FIRST} and the last {@link #LAST}, cluster-wide. */
  static final class Samples {
    static final int FIRST = 20;
    static final int LAST = 100;
    private final List<io.vertx.core.json.JsonObject> first = new ArrayList<>();
    private final ArrayDeque<io.vertx.core.json.JsonObject> last = new ArrayDeque<>();

    void add(io.vertx.core.json.JsonObject s) {
      if (first.size() < FIRST) {
        first.add(s);
        return;
      }
      last.addLast(s);
      if (last.size() > LAST) {
        last.pollFirst();
      }
    }

    List<io.vertx.core.json.JsonObject> all() {
      List<io.vertx.core.json.JsonObject> out = new ArrayList<>(first);
      out.addAll(last);
      return out;
    }
  }
}
