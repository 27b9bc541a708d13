package io.sluice.scoring;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.protocol.InstanceInfo;

/**
 * {@code sluice_batch_size{endpoint, deployment, instance}}: the size of each batch an instance handed to
 * run_batch(). Registered only for a deployment that batches (max_batch_size > 1), removed when the instance stops,
 * so the series are bounded by the instances alive on the node.
 */
final class BatchMeter {
  private final MeterRegistry registry;
  private final DistributionSummary sizes;

  private BatchMeter(MeterRegistry registry, DistributionSummary sizes) {
    this.registry = registry;
    this.sizes = sizes;
  }

  /** A meter for {@code instance}, or null when there is no registry or the deployment does not batch. */
  static BatchMeter of(MeterRegistry registry, InstanceInfo instance, int maxBatchSize) {
    if (registry == null || maxBatchSize <= 1) {
      return null;
    }
    return new BatchMeter(registry, DistributionSummary.builder("sluice.batch.size")
        .tag("endpoint", instance.endpoint()).tag("deployment", instance.deployment()).tag("instance", instance.id())
        .description("requests per run_batch() call").serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512,
            1024).register(registry));
  }

  void record(int size) {
    sizes.record(size);
  }

  void close() {
    registry.remove(sizes);
  }
}
