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
  private static final ObjectMapper JSON = new ObjectMapper();
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
  /** The resident memory (bytes) the process had when it was killed for its memory limit; 0 otherwise. */
  private volatile long killedForMemory;
  private long seq;

  PythonWorker(int index, ScorerSpec spec, PythonLauncher launcher, SparePool spares, BlockingQueue<Pending> queue,
               ScheduledExecutorService watchdog, UnreadyClock unready, Runnable onChange) {
    this.index = index;
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
    int failedStarts = 0;
    while (!closing) {
      String outcome = lifetime(first);
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
      failedStarts = outcome.startsWith("init") ? failedStarts + 1 : 0;
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

  /** One process, from start to exit. Returns why it ended. */
  private String lifetime(CompletableFuture<Void> first) {
    killedByWatchdog = false;
    PythonLauncher.Started started = spares.take();
    if (started == null) {
      try {
        started = launcher.launch();
      } catch (PythonLauncher.InitFailed e) {
        return e.getMessage();
      }
      note("started, pid " + started.process().pid());
    } else {
      note("took a started spare, pid " + started.process().pid());
    }
    process = started.process();
    DataInputStream in = started.in();
    DataOutputStream out = started.out();
    Pending current = null;
    killedForMemory = 0;
    ScheduledFuture<?> memoryWatch = spec.memoryLimit() > 0 ? watchMemory(process) : null;
    try {
      ready = true;
      onChange.run();
      first.complete(null);
      Probe liveness = spec.liveness();
      long nextPing = System.nanoTime() + TimeUnit.SECONDS.toNanos(liveness.initialDelay());
      int missed = 0;
      while (!closing) {
        current = queue.poll(100, TimeUnit.MILLISECONDS);
        if (current == null) {
          if (!process.isAlive()) {
            return killedForMemory > 0 ? memoryReason() : "the Python process exited (code " + exitCode() + ")";
          }
          if (System.nanoTime() >= nextPing) {
            nextPing = System.nanoTime() + TimeUnit.SECONDS.toNanos(liveness.period());
            missed = ping(in, out, liveness) ? 0 : missed + 1;
            if (missed >= liveness.failureThreshold()) {
              process.destroyForcibly();
              return "liveness probe failed " + missed + " times in a row";
            }
          }
          continue;
        }
        ScoreResult refused = tooLate(current);
        if (refused != null) {
          current.result().complete(refused);
          current = null;
          continue;
        }
        double waited = (System.nanoTime() - current.enqueuedNanos()) / 1e6;
        ObjectNode header = JSON.createObjectNode().put("seq", ++seq).put("id", current.request().requestId());
        ObjectNode headers = JSON.valueToTree(current.request().headers());
        headers.put("x-request-id", current.request().requestId());
        header.set("headers", headers);
        header.put("method", current.request().method()).put("path", "/score").put("query", current.request().query());
        long budget = current.request().runTimeoutMillis();
        ScheduledFuture<?> guard = budget > 0 ? killAfter(budget) : null;
        writeFrame(out, JSON.writeValueAsBytes(header));
        writeFrame(out, current.request().body());
        out.flush();
        JsonNode reply = JSON.readTree(readFrame(in));
        byte[] body = readFrame(in);
        if (guard != null) {
          guard.cancel(false);
        }
        current.result().complete(answer(reply, body, waited));
        current = null;
        nextPing = System.nanoTime() + TimeUnit.SECONDS.toNanos(liveness.period());
      }
      return "stopped";
    } catch (EOFException | com.fasterxml.jackson.core.JsonProcessingException e) {
      return ended(current, null);
    } catch (IOException e) {
      return ended(current, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ended(current, "interrupted");
    } finally {
      if (memoryWatch != null) {
        memoryWatch.cancel(false);
      }
      process.destroyForcibly();
    }
  }

  /** Every 200 ms: a process whose resident memory is over resources.limits.memory is killed (and replaced). */
  private ScheduledFuture<?> watchMemory(Process p) {
    return watchdog.scheduleWithFixedDelay(() -> {
      long rss = residentBytes(p.pid());
      if (rss > spec.memoryLimit() && killedForMemory == 0) {
        killedForMemory = rss;
        p.destroyForcibly();
      }
    }, 200, 200, TimeUnit.MILLISECONDS);
  }

  /** VmRSS of a process, from /proc (0 where there is none). */
  static long residentBytes(long pid) {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc", String.valueOf(pid),
          "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // gone already, or not Linux
    }
    return 0;
  }

  private String memoryReason() {
    return "memory limit: resident memory " + (killedForMemory >> 20) + " MiB over resources.limits.memory "
        + (spec.memoryLimit() >> 20) + " MiB; worker killed";
  }

  /**
   * A request that waited too long: 429 past max_queue_wait_ms of waiting for busy workers; 408 past
   * request_timeout_ms in all (the time no worker was ready counts only against the latter).
   */
  /** The runner's reply: the script's status, headers (its Content-Type among them) and bytes. */
  private static ScoreResult answer(JsonNode reply, byte[] body, double waited) {
    java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
    String type = "application/json";
    for (var it = reply.path("headers").fields(); it.hasNext(); ) {
      var h = it.next();
      if (h.getKey().equalsIgnoreCase("content-type")) {
        type = h.getValue().asText();
      } else {
        headers.put(h.getKey(), h.getValue().asText());
      }
    }
    return new ScoreResult(reply.path("status").asInt(500), body, type, reply.path("ms").asDouble(), waited, false,
        headers, reply.path("raw").asBoolean(false));
  }

  private ScoreResult tooLate(Pending p) {
    long now = System.nanoTime();
    double waited = (now - p.enqueuedNanos()) / 1e6;
    double busy = waited - (unready.read(now) - p.unreadyAtEnqueue()) / 1e6;
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

  /** The process went away mid-conversation: tell the request in hand what happened, and say why. */
  private String ended(Pending current, String detail) {
    if (killedForMemory > 0) {
      if (current != null) {
        current.result().complete(ScoreResult.runtime(500, "the scoring process was killed while running this "
            + "request: it used " + (killedForMemory >> 20) + " MiB, over resources.limits.memory ("
            + (spec.memoryLimit() >> 20) + " MiB); check the logs", 0));
      }
      return memoryReason();
    }
    if (killedByWatchdog && current == null) {
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

  private boolean ping(DataInputStream in, DataOutputStream out, Probe liveness) throws IOException {
    long n = ++seq;
    // an unanswered ping means a hung interpreter: the watchdog ends the wait (and the process)
    ScheduledFuture<?> guard = killAfter(liveness.timeout() * 1000L * liveness.failureThreshold());
    writeFrame(out, JSON.writeValueAsBytes(JSON.createObjectNode().put("ping", n)));
    writeFrame(out, new byte[0]);
    out.flush();
    JsonNode pong = JSON.readTree(readFrame(in));
    readFrame(in);
    guard.cancel(false);
    return pong.path("pong").asLong() == n;
  }

  private ScheduledFuture<?> killAfter(long millis) {
    Process p = process;
    return watchdog.schedule(() -> {
      killedByWatchdog = true;
      p.destroyForcibly();
    }, millis, TimeUnit.MILLISECONDS);
  }

  private String exitCode() {
    return exitCode(process);
  }

  static String exitCode(Process process) {
    try {
      return process.waitFor(2, TimeUnit.SECONDS) ? String.valueOf(process.exitValue()) : "still running";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  static byte[] readFrame(DataInputStream in) throws IOException {
    int n = in.readInt();
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }

  private static void writeFrame(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
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
      p.destroy();
      try {
        if (!p.waitFor(3, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
  }
}
