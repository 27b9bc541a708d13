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
 */
public record ScorerSpec(Path codeDir, String scoringScript, Path modelDir, String python, int workers,
                         Map<String, String> environment, LogSink logSink, Probe liveness, Probe readiness,
                         int spareWorkers, long memoryLimit, long cpuLimitMillis) {

  public ScorerSpec(Path codeDir, String scoringScript, Path modelDir, String python, int workers,
                    Map<String, String> environment, LogSink logSink, Probe liveness, Probe readiness,
                    int spareWorkers, long memoryLimit) {
    this(codeDir, scoringScript, modelDir, python, workers, environment, logSink, liveness, readiness, spareWorkers,
        memoryLimit, 0);
  }

  public ScorerSpec(Path codeDir, String scoringScript, Path modelDir, String python, int workers,
                    Map<String, String> environment, LogSink logSink, Probe liveness, Probe readiness,
                    int spareWorkers) {
    this(codeDir, scoringScript, modelDir, python, workers, environment, logSink, liveness, readiness, spareWorkers,
        0);
  }

  public ScorerSpec(Path codeDir, String scoringScript, Path modelDir, String python, int workers,
                    Map<String, String> environment, LogSink logSink) {
    this(codeDir, scoringScript, modelDir, python, workers, environment, logSink, Probe.DEFAULT, Probe.DEFAULT, 0);
  }

  public ScorerSpec(Path codeDir, String scoringScript, Path modelDir, String python, int workers,
                    Map<String, String> environment, LogSink logSink, Probe liveness, Probe readiness) {
    this(codeDir, scoringScript, modelDir, python, workers, environment, logSink, liveness, readiness, 0);
  }

  public ScorerSpec {
    environment = environment == null ? Map.of() : Map.copyOf(environment);
    liveness = liveness == null ? Probe.DEFAULT : liveness;
    readiness = readiness == null ? Probe.DEFAULT : readiness;
    if (spareWorkers < 0) {
      throw new IllegalArgumentException("spareWorkers must not be negative");
    }
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1");
    }
  }

  /** Where an instance's log lines go. */
  @FunctionalInterface
  public interface LogSink {
    void line(String line);
  }
}
