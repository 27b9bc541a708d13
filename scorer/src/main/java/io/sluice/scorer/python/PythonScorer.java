package io.sluice.scorer.python;

import io.sluice.scorer.NeverRan;
import io.sluice.scorer.ScoreRequest;
import io.sluice.scorer.ScoreResult;
import io.sluice.scorer.Scorer;
import io.sluice.scorer.ScorerSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Runs a score.py in {@code spec.workers()} Python processes (Azure's WORKER_COUNT, our
 * max_concurrent_requests_per_instance). Requests wait in one queue; a free worker takes the next, so a process
 * never runs two at once. Workers that die, hang or overrun a request are replaced (see {@link PythonWorker}), at
 * once by a started spare when {@code spec.spareWorkers()} keeps one ({@link SparePool}). While no worker is ready
 * (all restarting), requests wait for one up to request_timeout_ms instead of max_queue_wait_ms.
 */
public final class PythonScorer implements Scorer {
  private static final Path RUNNER = extractRunner();

  private final ScorerSpec spec;
  private final LinkedBlockingQueue<PythonWorker.Pending> queue = new LinkedBlockingQueue<>();
  private final List<PythonWorker> workers = new ArrayList<>();
  private final ScheduledExecutorService watchdog = watchdog();

  /**
   * One thread for every deadline of this instance: the workers' run budgets and pings ({@link Deadline}: one check
   * per budget, not a task per request), init() budgets, memory checks. A cancelled task leaves the queue at once
   * (kept, each would wake the thread when it expired).
   */
  private static ScheduledExecutorService watchdog() {
    java.util.concurrent.ScheduledThreadPoolExecutor w = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "python-watchdog");
      t.setDaemon(true);
      return t;
    });
    w.setRemoveOnCancelPolicy(true);
    return w;
  }
  private volatile boolean closed;
  private volatile SparePool spares;
  private volatile CpuLimit cpu = CpuLimit.NONE;
  private volatile Runnable healthListener = () -> { };
  private final UnreadyClock unready = new UnreadyClock();
  /** One worker without batching: a request may go straight into its pipe behind the running one. */
  private final boolean direct;

  public PythonScorer(ScorerSpec spec) {
    this.spec = spec;
    this.direct = spec.workers() == 1 && spec.maxBatchSize() == 1;
  }

  @Override
  public CompletionStage<Void> start() {
    Path script = spec.codeDir().resolve(spec.scoringScript()).normalize();
    if (!script.startsWith(spec.codeDir().normalize()) || !Files.isRegularFile(script)) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(
          "code_configuration.scoring_script: file '" + spec.scoringScript() + "' not found in the code folder"));
    }
    cpu = CpuLimit.open(spec.cpuLimitMillis(), spec.logSink());
    PythonLauncher launcher = new PythonLauncher(spec, RUNNER, script, watchdog, cpu);
    spares = new SparePool(launcher, spec);
    List<CompletableFuture<Void>> ready = new ArrayList<>();
    for (int i = 0; i < spec.workers(); i++) {
      // one worker: its next request waits in its pipe (depth 2); several: a second request must not wait behind a
      // busy worker while another is idle, so each takes one at a time; batching: the next batch gathers in the
      // queue while one runs
      PythonWorker w = new PythonWorker(i, spec, launcher, spares, queue, watchdog, unready, this::workersChanged,
          spec.workers() == 1 && spec.maxBatchSize() == 1 ? 2 : 1);
      workers.add(w);
      ready.add(w.start());
    }
    return CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).whenComplete((v, err) -> {
      if (err != null) {
        close();
      } else {
        spares.start(); // after the workers: the spares' init() does not slow the instance's first start
      }
    });
  }

  @Override
  public CompletionStage<ScoreResult> score(ScoreRequest request) {
    if (closed || !alive()) {
      return CompletableFuture.failedFuture(new NeverRan("scorer is not running"));
    }
    long now = System.nanoTime();
    PythonWorker.Pending p = new PythonWorker.Pending(request, new CompletableFuture<>(), now, unready.read(now));
    if (!direct || !workers.get(0).offer(p)) {
      queue.add(p);
    }
    return p.result();
  }

  @Override
  public boolean healthy() {
    return workers.stream().anyMatch(PythonWorker::ready);
  }

  @Override
  public boolean alive() {
    return !closed && workers.stream().anyMatch(w -> !w.gaveUp());
  }

  @Override
  public void onHealthChange(Runnable listener) {
    healthListener = listener;
  }

  private void workersChanged() {
    unready.readyNow(healthy(), System.nanoTime());
    healthListener.run();
    if (!alive()) {
      PythonWorker.Pending p;
      while ((p = queue.poll()) != null) {
        p.result().completeExceptionally(new NeverRan(closed ? "scorer stopped"
            : "the scoring workers keep failing to start"));
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    workers.forEach(PythonWorker::close);
    if (spares != null) {
      spares.close();
    }
    watchdog.shutdownNow();
    cpu.close(); // the workers were stopped above
    PythonWorker.Pending p;
    while ((p = queue.poll()) != null) {
      p.result().completeExceptionally(new NeverRan("scorer stopped"));
    }
  }

  /** The runner and its modules (sluice_aml, sluice_monitoring, sluice_stream, sluice_oip), side by side. */
  private static Path extractRunner() {
    try {
      Path dir = Files.createTempDirectory("sluice-runner");
      dir.toFile().deleteOnExit();
      for (String name : new String[] {"sluice_aml.py", "sluice_monitoring.py", "sluice_oip.py", "sluice_runner.py",
          "sluice_stream.py"}) {
        try (InputStream in = PythonScorer.class.getResourceAsStream(name)) {
          Path file = dir.resolve(name);
          Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
          file.toFile().deleteOnExit();
        }
      }
      return dir.resolve("sluice_runner.py");
    } catch (IOException e) {
      throw new IllegalStateException("cannot extract the Python runner", e);
    }
  }
}
