package io.sluice.scorer.python;

import io.sluice.scorer.ScoreResult;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * What a worker takes next: the requests a dead process left unrun first, then the instance's queue. With
 * batching ({@code maxBatch} > 1) it takes up to {@code maxBatch} waiting requests, waiting at most
 * {@code maxWaitMs} after the first for more. A request that waited past its limits is answered here and never
 * sent: 429 past max_queue_wait_ms of waiting for busy workers, 408 past request_timeout_ms in all (the time no
 * worker was ready counts only against the latter).
 */
final class Gather {
  private final BlockingQueue<PythonWorker.Pending> queue;
  private final Deque<PythonWorker.Pending> carried;
  private final UnreadyClock unready;
  private final int maxBatch;
  private final long maxWaitNanos;

  Gather(BlockingQueue<PythonWorker.Pending> queue, Deque<PythonWorker.Pending> carried, UnreadyClock unready,
         int maxBatch, long maxWaitMs) {
    this.queue = queue;
    this.carried = carried;
    this.unready = unready;
    this.maxBatch = maxBatch;
    this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
  }

  boolean batching() {
    return maxBatch > 1;
  }

  /** Whether nothing waits (a request may then go straight into a worker's pipe without overtaking any). */
  boolean nothingWaits() {
    return carried.isEmpty() && queue.isEmpty();
  }

  /**
   * The next request or batch; empty when none came within {@code blockMs} (0: only what is there now). A batch
   * is gathered only once its first request is in hand.
   */
  List<PythonWorker.Pending> next(long blockMs) throws InterruptedException {
    PythonWorker.Pending first = poll(blockMs);
    if (first == null) {
      return List.of();
    }
    if (maxBatch == 1) {
      return List.of(first);
    }
    List<PythonWorker.Pending> batch = new ArrayList<>(maxBatch);
    batch.add(first);
    long until = System.nanoTime() + maxWaitNanos;
    while (batch.size() < maxBatch) {
      PythonWorker.Pending p = poll(0);
      if (p == null) {
        long left = until - System.nanoTime();
        p = left > 0 ? usable(queue.poll(left, TimeUnit.NANOSECONDS)) : null;
        if (p == null && System.nanoTime() - until >= 0) {
          break;
        }
      }
      if (p != null) {
        batch.add(p);
      }
    }
    return batch;
  }

  /** One request that may still run, or null; those too late are answered on the way. */
  private PythonWorker.Pending poll(long blockMs) throws InterruptedException {
    while (true) {
      PythonWorker.Pending p = carried.poll();
      if (p == null) {
        p = blockMs > 0 ? queue.poll(blockMs, TimeUnit.MILLISECONDS) : queue.poll();
      }
      if (p == null) {
        return null;
      }
      if (usable(p) != null) {
        return p;
      }
      blockMs = 0; // one refused: take whatever else is there, without waiting again
    }
  }

  private PythonWorker.Pending usable(PythonWorker.Pending p) {
    if (p == null) {
      return null;
    }
    ScoreResult refused = tooLate(p);
    if (refused != null) {
      p.result().complete(refused);
      return null;
    }
    return p;
  }

  /** How long a request has waited for busy workers (the time no worker was ready does not count). */
  double busyMillis(PythonWorker.Pending p, long now) {
    return (now - p.enqueuedNanos()) / 1e6 - (unready.read(now) - p.unreadyAtEnqueue()) / 1e6;
  }

  /** The answer of a request that waited too long, or null while it may still run. */
  ScoreResult tooLate(PythonWorker.Pending p) {
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
}
