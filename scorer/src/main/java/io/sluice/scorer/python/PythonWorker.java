package io.sluice.scorer.python;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.scorer.Probe;
import io.sluice.scorer.ScoreResult;
import io.sluice.scorer.ScorerSpec;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One worker slot of a Python scorer: a Python process running sluice_runner.py, and the thread that feeds it one
 * request at a time. The slot keeps its process alive: a process that exits, overruns a request's budget or misses
 * liveness pings is killed and replaced, by a started spare when one is ready ({@link SparePool}), else by a new
 * process (init() runs again). It gives up after repeated failed starts.
 */
final class PythonWorker {
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
  /** The current process's memory watch (resources.limits.memory). */
  private volatile MemoryWatch memory;
  /** The current process's conversation, for callers that write straight into its pipe; null between processes. */
  private volatile Conversation conversation;
  private final Gather gather;
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
    this.gather = new Gather(queue, carried, unready, spec.maxBatchSize(), spec.maxBatchWaitMs());
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
   * One process, from start to exit; returns why it ended. This thread reads every answer, and sends work while
   * the process is idle; a request that arrives while one runs is written into the pipe by its caller
   * ({@link #offer}), so it waits there and Python starts it the moment it answers.
   */
  private Ended lifetime(CompletableFuture<Void> first) {
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
    Process p = spare.process();
    process = p;
    Deadline deadline = new Deadline(watchdog, () -> p.toHandle().destroyForcibly());
    Conversation talk = new Conversation(spare, deadline, depth);
    memory = new MemoryWatch(process, spec.memoryLimit(), watchdog);
    String detail = null;
    try {
      conversation = talk;
      ready = true;
      onChange.run();
      first.complete(null);
      converse(talk, deadline);
    } catch (java.io.EOFException | com.fasterxml.jackson.core.JsonProcessingException e) {
      // the process exited (or was killed)
    } catch (IOException e) {
      detail = e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      conversation = null;
      memory.stop();
      RunnerFrames.end(process);
    }
    List<Conversation.Sent> left = talk.end();
    for (int i = left.size() - 1; i >= 1; i--) { // never reached Python: the next process takes them
      giveBack(left.get(i).requests);
    }
    Conversation.Sent running = left.isEmpty() ? null : left.get(0);
    String why = ended(running, deadline.fired(), detail);
    return new Ended(closing ? "stopped" : why, false);
  }

  /** The conversation with one process, until it ends (an exception) or the slot closes. */
  private void converse(Conversation talk, Deadline deadline) throws IOException, InterruptedException {
    Probe liveness = spec.liveness();
    long nextPing = System.nanoTime() + TimeUnit.SECONDS.toNanos(liveness.initialDelay());
    while (!closing) {
      if (talk.idle()) {
        List<Pending> work = gather.next(100);
        if (!work.isEmpty()) {
          if (!talk.send(work, gather.batching())) {
            giveBack(work);
            return;
          }
          if (gather.batching()) {
            spec.batches().accept(work.size());
          }
          fill();
        } else if (System.nanoTime() >= nextPing && talk.idle()) {
          // an unanswered ping means a hung interpreter: its deadline ends the process
          talk.ping(liveness.timeout() * 1000L * liveness.failureThreshold());
        } else {
          continue;
        }
        nextPing = System.nanoTime() + TimeUnit.SECONDS.toNanos(liveness.period());
        continue;
      }
      Conversation.Reply reply = talk.read();
      if (!gather.batching() && talk.idle()) {
        // the next one goes to Python before this answer is handed on: Python does not wait on the hand-off
        List<Pending> work = gather.next(0);
        if (!work.isEmpty() && !talk.send(work, false)) {
          giveBack(work);
        }
      }
      fill();
      PythonStream stream = answer(reply);
      if (stream != null) { // this thread serves the stream's pulls until it ends
        stream.pump(talk, reply.to(), () -> deadline.fired()
            ? "no chunk within request_timeout_ms=" + reply.to().budgetMs + " ms: the worker was replaced"
            : "the scoring process exited while streaming; check the logs");
      }
    }
  }

  /** Requests that never reached Python go before any other, in their order. */
  private void giveBack(List<Pending> never) {
    for (int i = never.size() - 1; i >= 0; i--) {
      carried.addFirst(never.get(i));
    }
  }

  /** Hands each request its answer; the head of a stream comes with the stream's rest, returned to be pumped. */
  private PythonStream answer(Conversation.Reply reply) {
    Conversation.Sent to = reply.to();
    JsonNode h = reply.header();
    RunnerFrames.dropped(h, spec.collectDrops());
    if (to.ping()) {
      return null;
    }
    if (h.has("stream")) {
      PythonStream rest = new PythonStream(to.budgetMs);
      to.requests.get(0).result().complete(RunnerFrames.answer(h, reply.bodies().get(0), h.path("ms").asDouble(),
          to.waited[0], rest));
      return rest;
    }
    if (h.has("error")) { // a batch answered with the wrong number of results: the runtime's fault, not a model's
      for (int i = 0; i < to.requests.size(); i++) {
        to.requests.get(i).result().complete(ScoreResult.runtime(500, h.path("error").asText(), to.waited[i]));
      }
      return null;
    }
    for (int i = 0; i < to.requests.size(); i++) {
      Pending p = to.requests.get(i);
      JsonNode one = to.batch ? h.path("batch").path(i) : h;
      if (one.path("late").asBoolean(false)) {
        ScoreResult late = gather.tooLate(p);
        p.result().complete(late != null ? late : ScoreResult.runtime(429, "the request waited longer than "
            + "max_queue_wait_ms=" + p.request().queueTimeoutMillis() + " for a free worker", to.waited[i]));
      } else {
        p.result().complete(RunnerFrames.answer(one, reply.bodies().get(i), h.path("ms").asDouble(), to.waited[i],
            null));
      }
    }
    return null;
  }

  /**
   * From the caller's thread: puts {@code p} straight into the pipe behind the running request when there is room
   * and nothing waits before it; false: it goes to the queue.
   */
  boolean offer(Pending p) {
    return gather.nothingWaits() && pipeline(p);
  }

  /** Puts what waits next into the pipe behind the running request, while it fits (one worker, no batching). */
  private void fill() throws InterruptedException {
    if (depth < 2) {
      return;
    }
    List<Pending> next = gather.next(0);
    if (!next.isEmpty() && !pipeline(next.get(0))) {
      giveBack(next); // no room: it stays first in line
    }
  }

  private boolean pipeline(Pending p) {
    Conversation talk = conversation;
    if (talk == null) {
      return false;
    }
    long queueLimit = p.request().queueTimeoutMillis();
    // it waits behind a running request: past max_queue_wait_ms the runner refuses it unrun
    double notAfter = queueLimit <= 0 ? 0
        : (System.currentTimeMillis() + (queueLimit - gather.busyMillis(p, System.nanoTime()))) / 1000.0;
    return talk.offer(p, notAfter);
  }

  /** Why a process's lifetime ended; {@code initFailed}: it never got past init() (what the restart policy counts). */
  private record Ended(String why, boolean initFailed) {
  }

  /**
   * The process went away mid-conversation: tell the requests in hand what happened (all of a batch alike), and
   * say why. {@code overdue}: its run budget (or a ping's) passed and the process was killed for it.
   */
  private String ended(Conversation.Sent running, boolean overdue, String detail) {
    List<Pending> current = running == null ? List.of() : running.requests;
    if (memory.killed()) {
      current.forEach(p -> p.result().complete(memory.answer()));
      return memory.reason();
    }
    if (overdue && (running == null || running.ping())) {
      return "liveness probe failed: no answer within " + spec.liveness().timeout() * spec.liveness().failureThreshold()
          + " s (timeout x failure_threshold)";
    }
    if (overdue) {
      current.forEach(p -> p.result().complete(ScoreResult.runtime(408, "upstream request timeout: run() did not "
          + "finish within request_timeout_ms=" + p.request().runTimeoutMillis() + "; the worker was replaced", 0)));
      return "run() overran request_timeout_ms; worker killed";
    }
    String why = "the Python process exited (code " + exitCode() + ")" + (detail == null ? "" : ": " + detail);
    current.forEach(p -> p.result().complete(ScoreResult.runtime(500, "the scoring process exited while running "
        + "this request; check the logs", 0)));
    return why;
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
