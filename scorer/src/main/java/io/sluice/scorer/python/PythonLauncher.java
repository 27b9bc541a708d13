package io.sluice.scorer.python;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.scorer.ScorerSpec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Starts a Python process running sluice_runner.py and waits until its init() has finished, within the readiness
 * budget: what a worker needs before it takes requests, and what a spare is kept as.
 */
final class PythonLauncher {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ScorerSpec spec;
  private final Path runner;
  private final Path script;
  private final ScheduledExecutorService watchdog;
  private final CpuLimit cpu;

  /**
   * A Python process whose init() succeeded, with its pipes; {@code headers}: its script reads request headers
   * (run(raw_data, request_headers) or a raw-HTTP run), so requests carry them.
   */
  record Started(Process process, DataInputStream in, DataOutputStream out, boolean headers) {
  }

  /** Why init() did not succeed, in words for the instance log. */
  static final class InitFailed extends Exception {
    InitFailed(String message) {
      super(message);
    }
  }

  PythonLauncher(ScorerSpec spec, Path runner, Path script, ScheduledExecutorService watchdog, CpuLimit cpu) {
    this.spec = spec;
    this.runner = runner;
    this.script = script;
    this.watchdog = watchdog;
    this.cpu = cpu;
  }

  Started launch() throws InitFailed {
    Process p;
    Thread logs;
    try {
      p = spawn();
      logs = pumpLogs(p);
    } catch (IOException e) {
      throw new InitFailed("init() did not run: cannot start Python '" + spec.python() + "': " + e.getMessage());
    }
    AtomicBoolean killed = new AtomicBoolean();
    ScheduledFuture<?> guard = watchdog.schedule(() -> {
      killed.set(true);
      p.toHandle().destroyForcibly();
    }, spec.readiness().budgetSeconds() * 1000L, TimeUnit.MILLISECONDS);
    DataInputStream in = new DataInputStream(p.getInputStream());
    try {
      JsonNode hello = JSON.readTree(RunnerFrames.read(in));
      RunnerFrames.read(in);
      guard.cancel(false);
      if (!"ready".equals(hello.path("event").asText())) {
        logged(logs); // the runner exits after init_failed: its traceback is read to the end first
        p.toHandle().destroyForcibly();
        throw new InitFailed("init() failed: " + hello.path("error").asText());
      }
      return new Started(p, in, new DataOutputStream(p.getOutputStream()), hello.path("headers").asBoolean(true));
    } catch (IOException e) {
      guard.cancel(false);
      logged(logs);
      p.toHandle().destroyForcibly();
      if (killed.get()) {
        throw new InitFailed("init() did not finish within " + spec.readiness().budgetSeconds() + " s (readiness_probe: "
            + "initial_delay + period x failure_threshold)");
      }
      throw new InitFailed("init() failed: the Python process exited (code " + RunnerFrames.exitCode(p) + ")");
    }
  }

  private Process spawn() throws IOException {
    ProcessBuilder pb = new ProcessBuilder(spec.python(), "-u", runner.toString(), script.toString());
    pb.directory(spec.codeDir().toFile());
    Map<String, String> env = pb.environment();
    env.putAll(spec.environment());
    if (spec.modelDir() != null) {
      env.put("AZUREML_MODEL_DIR", spec.modelDir().toString());
    }
    env.put("AZUREML_ENTRY_SCRIPT", spec.scoringScript());
    env.put("AML_APP_ROOT", spec.codeDir().toString());
    env.put("WORKER_COUNT", String.valueOf(spec.workers()));
    env.put("PYTHONUNBUFFERED", "1");
    env.put("SLUICE_MAX_BATCH_SIZE", String.valueOf(spec.maxBatchSize())); // > 1: the runner requires run_batch
    Process p = pb.start();
    cpu.join(p.pid()); // before init(): a model load counts against the limit too
    return p;
  }

  /** The thread that copies the process's stderr (prints, logging, tracebacks) into the instance's log. */
  private Thread pumpLogs(Process p) {
    Thread logs = new Thread(() -> copyLogs(p), "python-log-" + p.pid());
    logs.setDaemon(true);
    logs.start();
    return logs;
  }

  /**
   * Waits (at most {@link #LOG_DRAIN_MS}) until what a process that failed its init() wrote is in the log, so the
   * instance is reported Failed with its traceback already there. Processes are always ended through their
   * {@link ProcessHandle}, which signals them without closing their pipes: {@code Process.destroy} closes stderr at
   * once, and the log thread lost whatever it had not read yet.
   */
  private static void logged(Thread logs) {
    try {
      logs.join(LOG_DRAIN_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final long LOG_DRAIN_MS = 5000;

  private void copyLogs(Process p) {
    new LogPump(p.getErrorStream(), spec.logSink()).run();
  }
}
