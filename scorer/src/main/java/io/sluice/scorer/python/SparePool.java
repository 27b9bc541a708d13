package io.sluice.scorer.python;

import io.sluice.scorer.ScorerSpec;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Python processes started ahead (init() done) so that a worker killed for an overrun, an exit or a missed
 * liveness probe is replaced at once instead of after another init(): a timeout costs one request. Each spare
 * taken is started again in the background. A spare that fails to start is not retried until the next take, so a
 * broken init() cannot spin.
 */
final class SparePool {
  private final PythonLauncher launcher;
  private final ScorerSpec spec;
  private final LinkedBlockingQueue<PythonLauncher.Started> ready = new LinkedBlockingQueue<>();
  private final ExecutorService filler = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "python-spares");
    t.setDaemon(true);
    return t;
  });
  private volatile boolean closed;

  SparePool(PythonLauncher launcher, ScorerSpec spec) {
    this.launcher = launcher;
    this.spec = spec;
  }

  void start() {
    for (int i = 0; i < spec.spareWorkers(); i++) {
      fill();
    }
  }

  /** A started spare, or null when none is ready; another is started in its place. */
  PythonLauncher.Started take() {
    PythonLauncher.Started s;
    while ((s = ready.poll()) != null) {
      fill();
      if (s.process().isAlive()) {
        return s;
      }
    }
    return null;
  }

  boolean available() {
    return ready.stream().anyMatch(s -> s.process().isAlive());
  }

  private void fill() {
    if (closed || spec.spareWorkers() == 0) {
      return;
    }
    filler.execute(() -> {
      if (closed) {
        return;
      }
      try {
        PythonLauncher.Started s = launcher.launch();
        if (closed) {
          s.process().toHandle().destroyForcibly();
        } else {
          ready.add(s);
          spec.logSink().line(Instant.now() + " sluice: spare worker ready, pid " + s.process().pid());
        }
      } catch (PythonLauncher.InitFailed e) {
        spec.logSink().line(Instant.now() + " sluice: spare worker: " + e.getMessage());
      }
    });
  }

  void close() {
    closed = true;
    filler.shutdownNow();
    PythonLauncher.Started s;
    while ((s = ready.poll()) != null) {
      s.process().toHandle().destroyForcibly();
    }
  }
}
