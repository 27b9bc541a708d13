package io.sluice.load;

import io.sluice.mirror.AnswerComparison;
import io.sluice.protocol.LoadReport;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.PackedHistogram;

/**
 * One bucket of a series in {@link LoadPicture}: a second (or a coarse slice, labelled with its first second) of
 * answers by kind, a packed latency histogram and mirror comparison counts; per-second buckets keep requests in
 * flight and answers per router too (admission shares). Not thread-safe: the picture holds its lock.
 */
final class Bucket {
  final long second;
  final long[] byKind = new long[LoadReport.Kind.values().length];
  final Map<String, Integer> inFlight = new HashMap<>(2);
  /** Answers per router in this bucket (admission shares). */
  final Map<String, Long> byRouter = new HashMap<>(2);
  /** Mirror series: how its answers compared with the live ones, by kind. */
  final EnumMap<AnswerComparison.Kind, Long> comparison = new EnumMap<>(AnswerComparison.Kind.class);
  final Histogram latency = new PackedHistogram(1, LoadRecorder.newHistogram().getHighestTrackableValue(), 2);

  private Bucket(long second) {
    this.second = second;
  }

  int inFlightSum() {
    return inFlight.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** Adds one router's report of a deployment; {@code perRouter}: keep in-flight and answers by router too. */
  void add(String router, LoadReport.DeploymentLoad d, Histogram h, boolean perRouter) {
    byKind[0] += d.ok();
    byKind[1] += d.clientErrors();
    byKind[2] += d.throttled();
    byKind[3] += d.serverErrors();
    if (perRouter) {
      inFlight.put(router, d.inFlight());
      byRouter.merge(router, d.ok() + d.clientErrors() + d.throttled() + d.serverErrors(), Long::sum);
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
      inFlight += b.inFlightSum();
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
