package io.sluice.scorer.python;

/**
 * Counts the time during which no worker of a scorer was ready (all restarting). A request's wait in that time is
 * not a busy instance's queue (max_queue_wait_ms, 429) but a restart: it may last up to request_timeout_ms.
 */
final class UnreadyClock {
  private long total;
  private long since = -1;

  /** Called whenever readiness may have changed. */
  synchronized void readyNow(boolean anyReady, long nowNanos) {
    if (!anyReady && since < 0) {
      since = nowNanos;
    } else if (anyReady && since >= 0) {
      total += nowNanos - since;
      since = -1;
    }
  }

  /** The unready time so far; the difference of two readings is the unready time between them. */
  synchronized long read(long nowNanos) {
    return total + (since >= 0 ? nowNanos - since : 0);
  }
}
