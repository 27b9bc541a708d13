package io.sluice.scoring;

import io.sluice.collect.InstanceCollector;
import io.sluice.protocol.DeploymentDoc;
import io.sluice.protocol.RequestSettings;
import io.sluice.scorer.Probe;
import io.sluice.scorer.ScorerSpec;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ObjLongConsumer;

/**
 * What a deployment asks of the scoring runtime for one instance ({@link ScorerSpec}): its script and model, batching,
 * concurrency, probes, limits, the node's Python settings, and the script's environment (the deployment's variables,
 * the data collector's settings, and which endpoint and deployment it serves). Pure.
 */
final class RuntimeSpec {
  private RuntimeSpec() {
  }

  /**
   * {@code config}: the scorer verticle's config (python, spare_workers); {@code log}: the instance log;
   * {@code scriptDropped}: records the script's collector dropped, by collection; {@code batches}: null or the meter.
   */
  static ScorerSpec of(DeploymentDoc d, Path code, Path model, JsonObject config, Path home, String instanceId,
                       BatchMeter batches, ScorerSpec.LogSink log, ObjLongConsumer<String> scriptDropped) {
    RequestSettings rs = d.requestSettings();
    return ScorerSpec.builder(code, d.scoringScript())
        .batching(rs.maxBatchSize(), rs.batchWaitMs(), batches == null ? null : batches::record)
        .model(model)
        .python(config.getString("python"))
        .maxConcurrent(rs.maxConcurrent())
        .environment(InstanceCollector.environment(home, d, instanceId, environment(d)))
        .log(log)
        .collectDrops(scriptDropped)
        .liveness(probe(d.livenessProbe()))
        .readiness(probe(d.readinessProbe()))
        .spareWorkers(config.getInteger("spare_workers", 1))
        .memoryLimitBytes(d.memoryLimitBytes())
        .cpuLimitMillis(d.cpuLimitMillis())
        .build();
  }

  /** The deployment's variables, and which endpoint and deployment the script serves (sluice_oip's model name). */
  static Map<String, String> environment(DeploymentDoc d) {
    Map<String, String> out = new LinkedHashMap<>(d.environmentVariables());
    out.putIfAbsent("SLUICE_ENDPOINT_NAME", d.endpoint());
    out.putIfAbsent("SLUICE_DEPLOYMENT_NAME", d.name());
    return out;
  }

  static Probe probe(JsonObject p) {
    if (p == null) {
      return Probe.DEFAULT;
    }
    return new Probe(p.getInteger("initial_delay", 10), p.getInteger("period", 10), p.getInteger("timeout", 2),
        p.getInteger("success_threshold", 1), p.getInteger("failure_threshold", 30));
  }
}
