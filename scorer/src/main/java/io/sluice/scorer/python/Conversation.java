package io.sluice.scorer.python;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.scorer.ScoreRequest;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One Python process's pipe as its worker sees it: what was sent and is not yet answered, in order. The first is
 * running (Python reads one request at a time); the others wait framed in its input, so Python starts the next the
 * moment it answers, and a request still waiting there when the process dies never reached Python.
 *
 * <p>The worker's thread reads every answer and sends what it takes from the queue while the process is idle. A
 * request that arrives while one runs is written by the caller's own thread ({@link #offer}), straight into the
 * pipe, so it reaches Python without waking a thread. Writes are kept so small that they never block (all that is
 * unanswered fits the smallest pipe Linux makes): a blocked writer could wait on a process that itself waits for
 * its answer to be read.
 */
final class Conversation {
  /** Unanswered bytes a pipe always holds without blocking its writer: one page, the smallest pipe Linux makes. */
  static final int DIRECT_BYTES = 4096;
  /** Room kept in that page for a stream's cancel, which is written whatever else waits. */
  private static final int CANCEL_BYTES = 64;

  /** A request, a batch of requests, or (no request) a liveness ping, out to the process. */
  static final class Sent {
    final List<PythonWorker.Pending> requests;
    final long budgetMs;
    final int bytes;
    /** Each request's wait before it ran, in ms: set when it starts running. */
    final double[] waited;
    final boolean batch;
    final long seq;

    Sent(long seq, List<PythonWorker.Pending> requests, long budgetMs, int bytes, boolean batch) {
      this.seq = seq;
      this.requests = requests;
      this.budgetMs = budgetMs;
      this.bytes = bytes;
      this.batch = batch;
      this.waited = new double[requests.size()];
    }

    boolean ping() {
      return requests.isEmpty();
    }
  }

  /** An answer read off the pipe: the reply header and one body per request (one for a ping). */
  record Reply(Sent to, JsonNode header, List<byte[]> bodies) {
  }

  private final Process process;
  private final DataInputStream in;
  private final DataOutputStream out;
  private final Deadline deadline;
  private final int depth;
  /** Whether the script reads request headers: otherwise they are not sent. */
  private final boolean headers;
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Sent> unanswered = new ArrayDeque<>();
  private int unansweredBytes;
  private long seq;
  private boolean ended;

  /** {@code depth}: how many may be out at once (2 lets the next wait in the pipe; 1 with several workers). */
  Conversation(PythonLauncher.Started started, Deadline deadline, int depth) {
    this.process = started.process();
    this.in = started.in();
    this.out = started.out();
    this.deadline = deadline;
    this.depth = depth;
    this.headers = started.headers();
  }

  Process process() {
    return process;
  }

  /** Whether nothing is out: the process waits for work. */
  boolean idle() {
    lock.lock();
    try {
      return unanswered.isEmpty();
    } finally {
      lock.unlock();
    }
  }

  /**
   * From the caller's thread: writes {@code p} behind the running request when there is room for it in the pipe
   * (never blocking: the lock is tried, not waited for, and the bytes fit). {@code notAfter}: epoch seconds past
   * which Python refuses it unrun (its max_queue_wait_ms), or 0. False: it goes to the queue instead.
   */
  boolean offer(PythonWorker.Pending p, double notAfter) {
    if (depth < 2 || !lock.tryLock()) {
      return false;
    }
    try {
      if (ended || unanswered.size() != 1 || unanswered.peek().ping()) {
        return false; // idle (the worker's thread takes it from the queue), full, or answering a ping
      }
      byte[] h = RunnerFrames.request(++seq, p.request(), notAfter, headers);
      int bytes = RunnerFrames.size(h, p.request().body());
      if (unansweredBytes + bytes > DIRECT_BYTES - CANCEL_BYTES) {
        return false;
      }
      record(new Sent(seq, List.of(p), p.request().runTimeoutMillis(), bytes, false));
      try {
        writeFrames(h, List.of(p.request().body()));
      } catch (IOException e) {
        // the process is going: the worker's thread reads its end and gives this one to the next process unrun
      }
      return true;
    } catch (IOException e) {
      return false; // the header could not be encoded: the worker's thread takes it
    } finally {
      lock.unlock();
    }
  }

  /** From the worker's thread: sends work (one request, or a batch) to the idle process; false once it ended. */
  boolean send(List<PythonWorker.Pending> work, boolean batch) throws IOException {
    lock.lock();
    try {
      if (ended) {
        return false;
      }
      List<ScoreRequest> requests = new ArrayList<>(work.size());
      List<byte[]> bodies = new ArrayList<>(work.size());
      long budget = Long.MAX_VALUE;
      int bytes = 0;
      for (PythonWorker.Pending p : work) {
        requests.add(p.request());
        bodies.add(p.request().body());
        bytes += 4 + p.request().body().length;
        budget = Math.min(budget, p.request().runTimeoutMillis() > 0 ? p.request().runTimeoutMillis() : budget);
      }
      byte[] h = batch ? RunnerFrames.batch(++seq, requests, headers)
          : RunnerFrames.request(++seq, requests.get(0), 0, headers);
      record(new Sent(seq, work, budget == Long.MAX_VALUE ? 0 : budget, bytes + 4 + h.length, batch));
      writeFrames(h, bodies);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** From the worker's thread, when idle: a liveness ping that must be answered within {@code budgetMs}. */
  boolean ping(long budgetMs) throws IOException {
    lock.lock();
    try {
      if (ended) {
        return false;
      }
      byte[] h = RunnerFrames.JSON.writeValueAsBytes(RunnerFrames.JSON.createObjectNode().put("ping", ++seq));
      record(new Sent(seq, List.of(), budgetMs, RunnerFrames.size(h, new byte[0]), false));
      writeFrames(h, List.of(new byte[0]));
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * From the worker's thread: waits for the next answer (blocking), takes what it answers off the front and starts
   * the run budget of the one behind it. Fails at the end of the process's output. A stream's first frames (its
   * head, its chunks) leave it in front: only its end answers it.
   */
  Reply read() throws IOException {
    JsonNode header = RunnerFrames.JSON.readTree(RunnerFrames.read(in));
    Sent to = peek();
    if (to == null) {
      throw new IOException("an answer to nothing");
    }
    int n = to.batch && !header.has("error") ? to.requests.size() : 1;
    List<byte[]> bodies = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      bodies.add(RunnerFrames.read(in));
    }
    lock.lock();
    try {
      deadline.disarm();
      if (header.has("stream") || header.has("chunk")) {
        return new Reply(to, header, bodies);
      }
      unanswered.poll();
      unansweredBytes -= to.bytes;
      Sent next = unanswered.peek();
      if (next != null) {
        started(next);
      }
    } finally {
      lock.unlock();
    }
    return new Reply(to, header, bodies);
  }

  /**
   * From the worker's thread, before it reads a stream's next chunk: the gap to it has the request's run budget
   * (request_timeout_ms), as the first chunk had.
   */
  void awaitChunk(Sent stream) {
    deadline.arm(stream.budgetMs);
  }

  /** From any thread: asks the process to stop stream {@code seq} (its client went away). Never blocks. */
  void cancel(long seq) {
    lock.lock();
    try {
      if (ended || unanswered.isEmpty() || unanswered.peek().seq != seq) {
        return; // over already
      }
      writeFrames(RunnerFrames.JSON.writeValueAsBytes(RunnerFrames.JSON.createObjectNode().put("cancel", seq)),
          List.of(new byte[0]));
    } catch (IOException e) {
      // the process is going: its end ends the stream
    } finally {
      lock.unlock();
    }
  }

  /**
   * The process is gone: what was out, the running one first (it may have run), then those that never reached
   * Python. Nothing can be sent any more.
   */
  List<Sent> end() {
    lock.lock();
    try {
      ended = true;
      deadline.disarm();
      List<Sent> left = new ArrayList<>(unanswered);
      unanswered.clear();
      return left;
    } finally {
      lock.unlock();
    }
  }

  private Sent peek() {
    lock.lock();
    try {
      return unanswered.peek();
    } finally {
      lock.unlock();
    }
  }

  /** Under the lock, before the bytes go: the order of the list is the order of the pipe. */
  private void record(Sent s) {
    unanswered.add(s);
    unansweredBytes += s.bytes;
    if (unanswered.size() == 1) {
      started(s);
    }
  }

  private void started(Sent s) {
    long now = System.nanoTime();
    for (int i = 0; i < s.requests.size(); i++) {
      s.waited[i] = (now - s.requests.get(i).enqueuedNanos()) / 1e6;
    }
    deadline.arm(s.budgetMs);
  }

  private void writeFrames(byte[] header, List<byte[]> bodies) throws IOException {
    RunnerFrames.write(out, header);
    for (byte[] b : bodies) {
      RunnerFrames.write(out, b);
    }
    out.flush();
  }
}
