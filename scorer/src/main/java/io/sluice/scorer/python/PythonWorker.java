package io.sluice.scorer.python;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.scorer.Probe;
import io.sluice.scorer.ScoreResult;
import io.sluice.scorer.ScorerSpec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One worker slot of a Python scorer: a Python process running sluice_runner.py, and the thread that feeds it one
 * request at a time. The slot keeps its process alive: a process that exits, overruns a request's budget or misses
 * liveness pings is killed and replaced, by a started spare when one is ready ({@link SparePool}), else by a new
 * process (init() runs again). It gives up after repeated failed starts.
 */
final class PythonWorker {
  private static final ObjectMapper JSON = RunnerFrames.JSON;
  static final int MAX_FAILED_RESTARTS = 3;

  /** {@code unreadyAtEnqueue}: the scorer's {@link UnreadyClock} when the request arrived. */
  record Pending(io.sluice.scorer.ScoreRequest request, CompletableFuture<ScoreResult> result, long enqueuedNanos,
                 long unreadyAtEnqueue) {
  }

  private final int index;
  private final ScorerSpec spec;
  private final PythonLauncher launcher;
  private final SparePool spares;
  private final BlockingQueue<Pending> queue;
  private final ScheduledExecutorService watchdog;
  private final UnreadyClock unready;
  private final Runnable onChange;
  private volatile Process process;
  private volatile boolean closing;
  private volatile boolean ready;
  private volatile boolean gaveUp;
  private volatile boolean killedByWatchdog;
  /** The current process's memory watch (resources.limits.memory). */
  private volatile MemoryWatch memory;
  private long seq;
  /** Requests that were waiting in a process's pipe when it ended: they never ran; the next process takes them. */
  private final java.util.Deque<Pending> carried = new java.util.concurrent.ConcurrentLinkedDeque<>();
  /** Requests out to one process at once: 2 lets the next wait in the pipe (one worker per instance only). */
  private final int depth;

  PythonWorker(int index, ScorerSpec spec, PythonLauncher launcher, SparePool spares, BlockingQueue<Pending> queue,
               ScheduledExecutorService watchdog, UnreadyClock unready, Runnable onChange, int depth) {
    this.index = index;
    this.depth = depth;
    this.spec = spec;
    this.launcher = launcher;
    this.spares = spares;
    this.queue = queue;
    this.watchdog = watchdog;
    this.unready = unready;
    this.onChange = onChange;
  }

  /** Starts the slot; the future completes when the first init() succeeded, fails when it failed. */
  CompletableFuture<Void> start() {
    CompletableFuture<Void> first = new CompletableFuture<>();
    Thread loop = new Thread(() -> run(first), "python-worker-" + index);
    loop.setDaemon(true);
    loop.start();
    return first;
  }

  boolean ready() {
    return ready;
  }

  boolean gaveUp() {
    return gaveUp;
  }

  private void note(String text) {
    spec.logSink().line(Instant.now() + " sluice: worker " + index + ": " + text);
  }

  private void run(CompletableFuture<Void> first) {
    try {
      slot(first);
    } finally {
      Pending p;
      while ((p = carried.poll()) != null) { // the slot is over: what it carried never ran
        p.result().completeExceptionally(new io.sluice.scorer.NeverRan("worker " + index + " stopped"));
      }
    }
  }

  private void slot(CompletableFuture<Void> first) {
    int failedStarts = 0;
    while (!closing) {
      Ended ended = lifetime(first);
      String outcome = ended.why();
      // with a started spare at hand the slot is replaced at once: it never stops being ready
      boolean instant = !closing && first.isDone() && spares.available();
      if (!instant) {
        ready = false;
        onChange.run();
      }
      if (closing) {
        return;
      }
      if (!first.isDone()) {
        first.completeExceptionally(new IllegalStateException(outcome));
        return;
      }
      failedStarts = ended.initFailed() ? failedStarts + 1 : 0;
      if (failedStarts >= MAX_FAILED_RESTARTS) {
        note(outcome + "; giving up after " + failedStarts + " failed restarts");
        gaveUp = true;
        onChange.run();
        return;
      }
      if (instant) {
        note(outcome + "; replaced by a started spare");
      } else {
        note(outcome + "; restarting");
        sleep(Math.min(5000, 500L * (1 + failedStarts)));
      }
    }
  }

  /**
   * One process, from start to exit. Returns why it ended. This thread writes requests; a second one reads the
   * answers ({@link #readAnswers}); with {@code depth} 2 the next request waits framed in the pipe while Python runs
   * the current one.
   */
  private Ended lifetime(CompletableFuture<Void> first) {
    killedByWatchdog = false;
    PythonLauncher.Started spare = spares.take();
    if (spare == null) {
      try {
        spare = launcher.launch();
      } catch (PythonLauncher.InitFailed e) {
        return new Ended(e.getMessage(), true);
      }
      note("started, pid " + spare.process().pid());
    } else {
      note("took a started spare, pid " + spare.process().pid());
    }
    PythonLauncher.Started started = spare;
    process = started.process();
    DataOutputStream out = started.out();
    Pipe pipe = new Pipe(depth);
    Thread reader = new Thread(() -> readAnswers(started.in(), pipe), "python-answers-" + index);
    reader.setDaemon(true);
    memory = new MemoryWatch(process, spec.memoryLimit(), watchdog);
    try {
      ready = true;
      onChange.run();
      first.complete(null);
      reader.start();
      Probe liveness = spec.liveness();
      long nextPing = System.nanoTime() + TimeUnit.SECONDS.toNanos(liveness.initialDelay());
      while (!closing && pipe.ended() == null) {
        if (!pipe.awaitRoom(100)) {
          continue;
        }
        Pending next = carried.poll();
        if (next == null) {
          next = queue.poll(100, TimeUnit.MILLISECONDS);
        }
        if (next == null) {
          if (pipe.idle() && System.nanoTime() >= nextPing && process.isAlive()) {
            nextPing = System.nanoTime() + TimeUnit.SECONDS.toNanos(liveness.period());
            long n = ++seq;
            // an unanswered ping means a hung interpreter: the watchdog ends the wait (and the process)
            if (!pipe.sent(new Sent(null, n, liveness.timeout() * 1000L * liveness.failureThreshold()))) {
              break;
            }
            RunnerFrames.write(out, JSON.writeValueAsBytes(JSON.createObjectNode().put("ping", n)));
            RunnerFrames.write(out, new byte[0]);
            out.flush();
          }
          continue;
        }
        ScoreResult refused = tooLate(next);
        if (refused != null) {
          next.result().complete(refused);
          continue;
        }
        ObjectNode header = RunnerFrames.request(++seq, next.request());
        long queueLimit = next.request().queueTimeoutMillis();
        if (queueLimit > 0 && !pipe.idle()) {
          // it waits in the pipe behind a running request: past max_queue_wait_ms the runner refuses it unrun
          double busy = busyMillis(next, System.nanoTime());
          header.put("not_after", (System.currentTimeMillis() + (queueLimit - busy)) / 1000.0);
        }
        if (!pipe.sent(new Sent(next, 0, next.request().runTimeoutMillis()))) {
          carried.add(next); // the process ended meanwhile: this one never left
          break;
        }
        RunnerFrames.write(out, JSON.writeValueAsBytes(header));
        RunnerFrames.write(out, next.request().body());
        out.flush();
        nextPing = System.nanoTime() + TimeUnit.SECONDS.toNanos(liveness.period());
      }
    } catch (IOException e) {
      // the process is gone mid-write: the reader tells what was out and why
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      memory.stop();
      RunnerFrames.end(process);
    }
    try {
      reader.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    String why = pipe.ended();
    return new Ended(closing || why == null ? "stopped" : why, false);
  }

  /** Why a process's lifetime ended; {@code initFailed}: it never got past init() (what the restart policy counts). */
  private record Ended(String why, boolean initFailed) {
  }

  /** A request (or, with a null {@code pending}, a liveness ping) in the process's pipe. */
  private final class Sent implements Pipe.Entry {
    final Pending pending;
    final long ping;
    final long budgetMs;
    double waited;
    ScheduledFuture<?> guard;

    Sent(Pending pending, long ping, long budgetMs) {
      this.pending = pending;
      this.ping = ping;
      this.budgetMs = budgetMs;
    }

    @Override
    public void started() {
      if (pending != null) {
        waited = (System.nanoTime() - pending.enqueuedNanos()) / 1e6;
      }
      guard = budgetMs > 0 ? killAfter(budgetMs) : null;
    }

    @Override
    public void finished() {
      if (guard != null) {
        guard.cancel(false);
      }
    }
  }

  /**
   * The answers, in the order the requests were sent, until the process ends. Then: the running request is told
   * what happened, a request still waiting in the pipe never reached Python and goes to the next process.
   */
  private void readAnswers(DataInputStream in, Pipe pipe) {
    String detail = null;
    try {
      while (true) {
        JsonNode reply = JSON.readTree(RunnerFrames.read(in));
        byte[] body = RunnerFrames.read(in);
        Sent done = (Sent) pipe.answered();
        if (done == null) {
          detail = "an answer to nothing";
          break;
        }
        if (done.pending != null && reply.path("late").asBoolean(false)) {
          ScoreResult late = tooLate(done.pending);
          done.pending.result().complete(late != null ? late : ScoreResult.runtime(429, "the request waited longer "
              + "than max_queue_wait_ms=" + done.pending.request().queueTimeoutMillis() + " for a free worker",
              done.waited));
        } else if (done.pending != null) {
          done.pending.result().complete(RunnerFrames.answer(reply, body, done.waited));
        }
      }
    } catch (EOFException | com.fasterxml.jackson.core.JsonProcessingException e) {
      // the process exited (or was killed)
    } catch (IOException e) {
      detail = e.getMessage();
    }
    RunnerFrames.end(process);
    List<Pipe.Entry> left = pipe.end("ending");
    Sent running = left.isEmpty() ? null : (Sent) left.get(0);
    for (Pipe.Entry e : left.subList(Math.min(1, left.size()), left.size())) {
      Sent waiting = (Sent) e;
      if (waiting.pending != null) {
        carried.add(waiting.pending);
      }
    }
    pipe.end(ended(running == null ? null : running.pending, running != null && running.pending == null, detail));
  }

  /** How long a request has waited for busy workers (the time no worker was ready does not count). */
  private double busyMillis(Pending p, long now) {
    return (now - p.enqueuedNanos()) / 1e6 - (unready.read(now) - p.unreadyAtEnqueue()) / 1e6;
  }

  /**
   * A request that waited too long: 429 past max_queue_wait_ms of waiting for busy workers; 408 past
   * request_timeout_ms in all (the time no worker was ready counts only against the latter).
   */
  private ScoreResult tooLate(Pending p) {
    long now = System.nanoTime();
    double waited = (now - p.enqueuedNanos()) / 1e6;
    double busy = busyMillis(p, now);
    long queueLimit = p.request().queueTimeoutMillis();
    long runLimit = p.request().runTimeoutMillis();
    if (queueLimit > 0 && busy > queueLimit) {
      return ScoreResult.runtime(429, "the request waited " + Math.round(busy) + " ms for a free worker, longer "
          + "than max_queue_wait_ms=" + queueLimit, waited);
    }
    if (runLimit > 0 && waited > runLimit) {
      return ScoreResult.runtime(408, "upstream request timeout: the request waited " + Math.round(waited)
          + " ms for a restarting worker, longer than request_timeout_ms=" + runLimit, waited);
    }
    return null;
  }

  /**
   * The process went away mid-conversation: tell the request in hand what happened, and say why. {@code pinging}:
   * a liveness ping was the one out.
   */
  private String ended(Pending current, boolean pinging, String detail) {
    if (memory.killed()) {
      if (current != null) {
        current.result().complete(memory.answer());
      }
      return memory.reason();
    }
    if (killedByWatchdog && (current == null || pinging)) {
      return "liveness probe failed: no answer within " + spec.liveness().timeout() * spec.liveness().failureThreshold()
          + " s (timeout x failure_threshold)";
    }
    if (killedByWatchdog && current != null) {
      current.result().complete(ScoreResult.runtime(408, "upstream request timeout: run() did not finish within "
          + "request_timeout_ms=" + current.request().runTimeoutMillis() + "; the worker was replaced", 0));
      return "run() overran request_timeout_ms; worker killed";
    }
    String why = "the Python process exited (code " + exitCode() + ")" + (detail == null ? "" : ": " + detail);
    if (current != null) {
      current.result().complete(ScoreResult.runtime(500, "the scoring process exited while running this request; "
          + "check the logs", 0));
    }
    return why;
  }

  private ScheduledFuture<?> killAfter(long millis) {
    Process p = process;
    return watchdog.schedule(() -> {
      killedByWatchdog = true;
      p.toHandle().destroyForcibly();
    }, millis, TimeUnit.MILLISECONDS);
  }

  private String exitCode() {
    return RunnerFrames.exitCode(process);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  void close() {
    closing = true;
    Process p = process;
    if (p != null) {
      p.toHandle().destroy();
      try {
        if (!p.waitFor(3, TimeUnit.SECONDS)) {
          p.toHandle().destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.toHandle().destroyForcibly();
      }
    }
  }
}
