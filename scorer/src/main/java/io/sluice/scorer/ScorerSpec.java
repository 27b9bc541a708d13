package io.sluice.scorer;

import java.nio.file.Path;
import java.util.Map;

/**
 * Everything a runtime needs to start one instance, already resolved to local folders.
 *
 * @param codeDir        the unpacked code_configuration.code folder (the working directory)
 * @param scoringScript  code_configuration.scoring_script: a file relative to codeDir (Python) or a class name (Java)
 * @param modelDir       the value of AZUREML_MODEL_DIR: the folder that contains the model folder; may be null
 * @param python         the interpreter that runs score.py
 * @param workers        concurrent requests the instance serves (Python: worker processes)
 * @param environment    environment_variables of the deployment
 * @param logSink        receives every log line of the instance (script prints, logging, runtime notes)
 * @param liveness       the liveness probe (restart a worker that stops answering)
 * @param readiness      the readiness probe (how long init() may take)
 * @param spareWorkers   Python: processes kept started (init() done) that replace a failed worker at once
 * @param memoryLimit    Python: the resident memory one worker process may use, in bytes (0: no limit); a worker
 *                       over it is killed and replaced (resources.limits.memory)
 * @param cpuLimitMillis Python: the cpu all the instance's worker processes may use together, in thousandths of a
 *                       core (0: no limit), as a cgroup quota where the node can create one (resources.limits.cpu)
 * @param maxBatchSize   Python: up to how many waiting requests one run_batch() call takes (1: no batching;
 *                       request_settings.max_batch_size)
 * @param maxBatchWaitMs Python: how long a batch waits for more requests after its first
 *                       (request_settings.max_batch_wait_ms)
 * @param batches        Python, batching: told the size of each batch as it goes to run_batch() (for a metric)
 * @param collectDrops   Python: told how many records a collection of the script's own {@code Collector} dropped
 *                       (a full queue or a folder it cannot write), as the runner reports them (for a metric)
 */
public record ScorerSpec(Path codeDir, String scoringScript, Path modelDir, String python, int workers,
                         Map<String, String> environment, LogSink logSink, Probe liveness, Probe readiness,
                         int spareWorkers, long memoryLimit, long cpuLimitMillis, int maxBatchSize,
                         long maxBatchWaitMs, java.util.function.IntConsumer batches,
                         java.util.function.ObjLongConsumer<String> collectDrops) {

  public ScorerSpec {
    environment = environment == null ? Map.of() : Map.copyOf(environment);
    liveness = liveness == null ? Probe.DEFAULT : liveness;
    readiness = readiness == null ? Probe.DEFAULT : readiness;
    batches = batches == null ? n -> { } : batches;
    collectDrops = collectDrops == null ? (c, n) -> { } : collectDrops;
    if (spareWorkers < 0) {
      throw new IllegalArgumentException("spareWorkers must not be negative");
    }
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1");
    }
    if (maxBatchSize < 1 || maxBatchWaitMs < 0) {
      throw new IllegalArgumentException("maxBatchSize must be at least 1 and maxBatchWaitMs not negative");
    }
  }

  /** A spec for the code in {@code codeDir}; everything else has its default (one worker, no limits, no spare). */
  public static Builder builder(Path codeDir, String scoringScript) {
    return new Builder(codeDir, scoringScript);
  }

  /** Names each setting: a spec has sixteen, too many to pass in order. */
  public static final class Builder {
    private final Path codeDir;
    private final String scoringScript;
    private Path modelDir;
    private String python = "python3";
    private int workers = 1;
    private Map<String, String> environment = Map.of();
    private LogSink logSink = line -> { };
    private Probe liveness = Probe.DEFAULT;
    private Probe readiness = Probe.DEFAULT;
    private int spareWorkers;
    private long memoryLimit;
    private long cpuLimitMillis;
    private int maxBatchSize = 1;
    private long maxBatchWaitMs = 5;
    private java.util.function.IntConsumer batches;
    private java.util.function.ObjLongConsumer<String> collectDrops;

    private Builder(Path codeDir, String scoringScript) {
      this.codeDir = codeDir;
      this.scoringScript = scoringScript;
    }

    public Builder model(Path modelDir) {
      this.modelDir = modelDir;
      return this;
    }

    public Builder python(String python) {
      this.python = python;
      return this;
    }

    public Builder maxConcurrent(int workers) {
      this.workers = workers;
      return this;
    }

    public Builder environment(Map<String, String> environment) {
      this.environment = environment;
      return this;
    }

    public Builder log(LogSink logSink) {
      this.logSink = logSink;
      return this;
    }

    public Builder liveness(Probe liveness) {
      this.liveness = liveness;
      return this;
    }

    public Builder readiness(Probe readiness) {
      this.readiness = readiness;
      return this;
    }

    public Builder spareWorkers(int spareWorkers) {
      this.spareWorkers = spareWorkers;
      return this;
    }

    public Builder memoryLimitBytes(long memoryLimit) {
      this.memoryLimit = memoryLimit;
      return this;
    }

    public Builder cpuLimitMillis(long cpuLimitMillis) {
      this.cpuLimitMillis = cpuLimitMillis;
      return this;
    }

    /** request_settings.max_batch_size and max_batch_wait_ms; {@code batches} hears each batch's size. */
    public Builder batching(int maxBatchSize, long maxBatchWaitMs, java.util.function.IntConsumer batches) {
      this.maxBatchSize = maxBatchSize;
      this.maxBatchWaitMs = maxBatchWaitMs;
      this.batches = batches;
      return this;
    }

    /** Hears the records the script's {@code Collector} dropped, by collection. */
    public Builder collectDrops(java.util.function.ObjLongConsumer<String> collectDrops) {
      this.collectDrops = collectDrops;
      return this;
    }

    public Builder batching(int maxBatchSize, long maxBatchWaitMs) {
      return batching(maxBatchSize, maxBatchWaitMs, null);
    }

    public ScorerSpec build() {
      return new ScorerSpec(codeDir, scoringScript, modelDir, python, workers, environment, logSink, liveness,
          readiness, spareWorkers, memoryLimit, cpuLimitMillis, maxBatchSize, maxBatchWaitMs, batches,
          collectDrops);
    }
  }

  /** Where an instance's log lines go. */
  @FunctionalInterface
  public interface LogSink {
    void line(String line);
  }
}
