package io.sluice.load;

import io.sluice.mirror.AnswerComparison;
import io.sluice.protocol.LoadDigest;
import io.sluice.protocol.LoadReport;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * A load hub's merge of the routers' reports between two digests: per second and deployment, answers by kind and
 * in flight summed, latency histograms merged, comparisons summed with at most {@link #SAMPLES} mismatch samples.
 * What one digest weighs grows with the deployments that answered, not with the routers that reported. Confined to
 * the hub's event loop; emptied by every {@link #drain}.
 */
final class DigestBuilder {
  /** Mismatch samples a digest carries per mirror deployment and second, however many routers sent some. */
  static final int SAMPLES = 4 * LoadRecorder.SAMPLES_PER_SECOND;

  private static final class Sum {
    final long[] byKind = new long[LoadReport.Kind.values().length];
    int inFlight;
    Histogram latency;
    EnumMap<AnswerComparison.Kind, Long> comparison;
    final List<JsonObject> samples = new ArrayList<>();
  }

  private final TreeMap<Long, Map<LoadPicture.Key, Sum>> seconds = new TreeMap<>();

  /** One router's report; {@code latencies} its deployments' histograms, decoded (null where there were none). */
  void add(LoadReport r, List<Histogram> latencies) {
    Map<LoadPicture.Key, Sum> second = seconds.computeIfAbsent(r.second(), s -> new LinkedHashMap<>());
    for (int i = 0; i < r.deployments().size(); i++) {
      LoadReport.DeploymentLoad d = r.deployments().get(i);
      Sum sum = second.computeIfAbsent(new LoadPicture.Key(d.endpoint(), d.deployment(), d.mirror()), k -> new Sum());
      sum.byKind[0] += d.ok();
      sum.byKind[1] += d.clientErrors();
      sum.byKind[2] += d.throttled();
      sum.byKind[3] += d.serverErrors();
      sum.inFlight += d.inFlight();
      Histogram h = latencies.get(i);
      if (h != null) {
        if (sum.latency == null) {
          sum.latency = LoadRecorder.newHistogram();
        }
        sum.latency.add(h);
      }
      if (d.comparison() != null) {
        if (sum.comparison == null) {
          sum.comparison = new EnumMap<>(AnswerComparison.Kind.class);
        }
        d.comparison().counts().forEach((kind, n) -> sum.comparison.merge(kind, n, Long::sum));
        d.comparison().samples().stream().limit(Math.max(0, SAMPLES - sum.samples.size())).forEach(sum.samples::add);
      }
    }
  }

  boolean isEmpty() {
    return seconds.isEmpty();
  }

  /** Everything added since the last drain, as {@code hub}'s digest (oldest second first); starts afresh. */
  LoadDigest drain(String hub) {
    List<LoadReport> out = new ArrayList<>(seconds.size());
    seconds.forEach((second, sums) -> {
      List<LoadReport.DeploymentLoad> deployments = new ArrayList<>(sums.size());
      sums.forEach((key, s) -> deployments.add(new LoadReport.DeploymentLoad(key.endpoint(), key.deployment(),
          key.mirror(), s.byKind[0], s.byKind[1], s.byKind[2], s.byKind[3], s.inFlight,
          s.latency == null ? null : LoadRecorder.encode(s.latency),
          s.comparison == null ? null : LoadReport.Comparison.of(s.comparison, s.samples))));
      out.add(new LoadReport(hub, second, deployments));
    });
    seconds.clear();
    return new LoadDigest(hub, out);
  }
}
