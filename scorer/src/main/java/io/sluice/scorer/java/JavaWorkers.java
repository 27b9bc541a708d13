package io.sluice.scorer.java;

import io.sluice.scorer.NeverRan;
import io.sluice.scorer.ScoreRequest;
import io.sluice.scorer.ScoreResult;
import io.sluice.scorer.ScorerSpec;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The worker threads of a Java scorer, with Azure's request settings: a request waits in one queue for a free slot
 * (past max_queue_wait_ms: 429), and a run() past request_timeout_ms is answered 408 and its thread interrupted. A
 * thread that does not come back within a second of that is abandoned and its slot gets a new thread; when
 * max(4, 2 x workers) threads are stuck at once the scorer gives up (the instance fails and is replaced).
 */
final class JavaWorkers {
  private static final long GRACE_MS = 1000;

  private record Job(ScoreRequest request, CompletableFuture<ScoreResult> result, long enqueuedNanos) {
  }

  private final ScorerSpec spec;
  private final Function<ScoreRequest, ScoreResult> run;
  private final Runnable onGiveUp;
  private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
  private final ScheduledThreadPoolExecutor watchdog = new ScheduledThreadPoolExecutor(1, r -> {
    Thread t = new Thread(r, "java-scorer-watchdog");
    t.setDaemon(true);
    return t;
  });
  private final AtomicInteger abandoned = new AtomicInteger();
  private final int maxAbandoned;
  /** The slot threads waiting for or running a job (not the abandoned ones): close() interrupts them. */
  private final java.util.Set<Thread> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  JavaWorkers(ScorerSpec spec, Function<ScoreRequest, ScoreResult> run, Runnable onGiveUp) {
    this.spec = spec;
    this.run = run;
    this.onGiveUp = onGiveUp;
    this.maxAbandoned = Math.max(4, 2 * spec.workers());
    watchdog.setRemoveOnCancelPolicy(true);
  }

  void start() {
    for (int i = 0; i < spec.workers(); i++) {
      newThread(i);
    }
  }

  CompletableFuture<ScoreResult> submit(ScoreRequest request) {
    Job job = new Job(request, new CompletableFuture<>(), System.nanoTime());
    queue.add(job);
    if (closed) {
      queue.remove(job);
      job.result().completeExceptionally(new NeverRan("scorer stopped"));
    }
    return job.result();
  }

  private void newThread(int slot) {
    Thread t = new Thread(() -> {
      try {
        loop(slot);
      } finally {
        threads.remove(Thread.currentThread());
      }
    }, "java-scorer-" + slot);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  private void loop(int slot) {
    while (!closed) {
      Job job;
      try {
        job = queue.take();
      } catch (InterruptedException e) {
        continue; // close() (the loop ends)
      }
      double waited = (System.nanoTime() - job.enqueuedNanos()) / 1e6;
      long queueLimit = job.request().queueTimeoutMillis();
      if (queueLimit > 0 && waited > queueLimit) {
        job.result().complete(ScoreResult.runtime(429, "the request waited " + Math.round(waited)
            + " ms for a free worker, longer than max_queue_wait_ms=" + queueLimit, waited));
        continue;
      }
      if (!runOne(slot, job, waited)) {
        return; // abandoned: the slot has a new thread
      }
    }
  }

  /** Runs one job under its deadline; false if this thread was abandoned meanwhile (it then ends). */
  private boolean runOne(int slot, Job job, double waited) {
    Thread me = Thread.currentThread();
    long budget = job.request().runTimeoutMillis();
    Turn turn = new Turn();
    var guard = budget <= 0 ? null : watchdog.schedule(() -> {
      synchronized (turn) {
        if (!turn.over && job.result().complete(ScoreResult.runtime(408, "upstream request timeout: run() did not "
            + "finish within request_timeout_ms=" + budget + "; its thread was interrupted", waited))) {
          me.interrupt();
          watchdog.schedule(() -> abandonIfStuck(slot, job, me, turn), GRACE_MS, TimeUnit.MILLISECONDS);
        }
      }
    }, budget, TimeUnit.MILLISECONDS);
    ScoreResult r = run.apply(job.request());
    if (guard != null) {
      guard.cancel(false);
    }
    job.result().complete(new ScoreResult(r.status(), r.body(), r.contentType(), r.runMillis(), waited,
        r.fromRuntime()));
    synchronized (turn) {
      Thread.interrupted(); // the watchdog interrupts only under this lock: nothing reaches the next job
      if (turn.over) {
        abandoned.decrementAndGet();
        return false;
      }
      turn.over = true;
      return true;
    }
  }

  /** One run on one thread: over once the thread came back or was abandoned, whichever was first. */
  private static final class Turn {
    boolean over;
  }

  private void abandonIfStuck(int slot, Job job, Thread stuck, Turn turn) {
    synchronized (turn) {
      if (turn.over) {
        return;
      }
      turn.over = true;
    }
    int now = abandoned.incrementAndGet();
    spec.logSink().line(Instant.now() + " sluice: request " + job.request().requestId() + ": run() ignored the "
        + "interrupt; thread " + stuck.getName() + " abandoned, slot " + slot + " gets a new thread (" + now
        + " stuck)");
    if (now >= maxAbandoned) {
      onGiveUp.run();
      spec.logSink().line(Instant.now() + " sluice: " + now + " threads stuck in run(); the instance gives up");
    }
    if (!closed) {
      newThread(slot);
    }
  }

  void close() {
    closed = true;
    watchdog.shutdownNow();
    Job job;
    while ((job = queue.poll()) != null) {
      job.result().completeExceptionally(new NeverRan("scorer stopped"));
    }
    threads.forEach(Thread::interrupt);
  }
}
