package io.sluice.load;

import io.sluice.mirror.AnswerComparison;
import java.util.EnumMap;
import io.sluice.protocol.LoadReport;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntBiFunction;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

/**
 * A router's own counts, per deployment, for the second under way: answers by kind and a latency histogram, mirror
 * copies apart. {@link #flush} turns them into a {@link LoadReport} and starts the next second. Confined to the
 * router's event loop; memory is one entry per deployment that answered since the last flush.
 */
public final class LoadRecorder {
  /** Microseconds, 1 µs to 3 minutes, 2 significant digits (1 %): enough to judge a p99 ratio. */
  static Histogram newHistogram() {
    return new Histogram(1, TimeUnit.MINUTES.toMicros(3), 2);
  }

  private static final class Entry {
    final String endpoint;
    final String deployment;
    final boolean mirror;
    final long[] byKind = new long[LoadReport.Kind.values().length];
    final Histogram latency = newHistogram();
    /** Mirror series only: how its answers compared with the live ones, by kind. */
    final EnumMap<AnswerComparison.Kind, Long> comparison = new EnumMap<>(AnswerComparison.Kind.class);
    final List<JsonObject> samples = new ArrayList<>();
    boolean touched;

    Entry(String endpoint, String deployment, boolean mirror) {
      this.endpoint = endpoint;
      this.deployment = deployment;
      this.mirror = mirror;
    }
  }

  private final String router;
  private final PerDeployment<Entry> live = new PerDeployment<>();
  private final PerDeployment<Entry> mirrors = new PerDeployment<>();

  public LoadRecorder(String router) {
    this.router = router;
  }

  /** At most this many mismatch samples leave a router per mirror deployment per second. */
  static final int SAMPLES_PER_SECOND = 5;

  /**
   * How a mirrored answer compared with the live one; {@code sample} describes a mismatch (kept while this second
   * has room).
   */
  public void compared(String endpoint, String deployment, AnswerComparison.Kind outcome, JsonObject sample) {
    Entry e = entry(endpoint, deployment, true);
    e.comparison.merge(outcome, 1L, Long::sum);
    e.touched = true;
    if (sample != null && e.samples.size() < SAMPLES_PER_SECOND) {
      e.samples.add(sample);
    }
  }

  private Entry entry(String endpoint, String deployment, boolean mirror) {
    return (mirror ? mirrors : live).computeIfAbsent(endpoint, deployment, (e, d) -> new Entry(e, d, mirror));
  }

  /** One answer (or refusal) of {@code deployment}; {@code latencyNanos} 0 when it was refused before any call. */
  public void record(String endpoint, String deployment, boolean mirror, int status, long latencyNanos) {
    Entry e = entry(endpoint, deployment, mirror);
    e.byKind[LoadReport.kind(status).ordinal()]++;
    e.touched = true;
    if (latencyNanos > 0) {
      e.latency.recordValue(Math.min(Math.max(1, latencyNanos / 1000), e.latency.getHighestTrackableValue()));
    }
  }

  /**
   * The report of the second that just ended, and a fresh start. Deployments idle for a whole second are dropped
   * (and reported once more only when {@code inFlight} says requests are still out).
   */
  public LoadReport flush(long second, ToIntBiFunction<String, String> inFlight) {
    List<LoadReport.DeploymentLoad> out = new ArrayList<>();
    for (PerDeployment<Entry> entries : List.of(live, mirrors)) {
      entries.removeValues(e -> {
        int flying = e.mirror ? 0 : inFlight.applyAsInt(e.endpoint, e.deployment);
        if (!e.touched && flying == 0) {
          return true;
        }
        long[] k = e.byKind;
        LoadReport.Comparison comparison = !e.mirror ? null
            : LoadReport.Comparison.of(e.comparison, List.copyOf(e.samples));
        out.add(new LoadReport.DeploymentLoad(e.endpoint, e.deployment, e.mirror, k[0], k[1], k[2], k[3], flying,
            encode(e.latency), comparison));
        java.util.Arrays.fill(k, 0);
        e.comparison.clear();
        e.samples.clear();
        e.latency.reset();
        e.touched = false;
        return false;
      });
    }
    return new LoadReport(router, second, out);
  }

  static String encode(Histogram h) {
    ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int n = h.encodeIntoCompressedByteBuffer(buf);
    return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buf.array(), n));
  }
}
