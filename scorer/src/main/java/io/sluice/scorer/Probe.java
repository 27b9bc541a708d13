package io.sluice.scorer;

/**
 * Azure's probe settings (seconds and counts), with Azure's defaults. For a scorer: the readiness probe bounds how
 * long init() may take ({@link #budgetSeconds()}); the liveness probe checks idle workers every {@code period} and
 * replaces one that missed {@code failureThreshold} answers in a row.
 */
public record Probe(int initialDelay, int period, int timeout, int successThreshold, int failureThreshold) {
  public static final Probe DEFAULT = new Probe(10, 10, 2, 1, 30);

  /** initial_delay + period x failure_threshold: the longest a probe lets a worker stay unready. */
  public long budgetSeconds() {
    return initialDelay + (long) period * failureThreshold;
  }
}
