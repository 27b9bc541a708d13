package io.sluice.scorer.python;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The run budget of what one worker's process is running, kept without a timer task per request: arming is a
 * volatile write and read. A scheduled check stands for every deadline that falls after it; when it runs and finds
 * the current deadline still ahead, it schedules itself for that one. Under load the watchdog thread so wakes once
 * per budget (5 s by default), not once per request (a schedule and a cancel per request cost 6-10 µs of CPU).
 *
 * <p>Only the worker's thread arms and disarms; the check runs on the watchdog's thread. Each writes its own
 * variable before reading the other's ({@code due}, then {@code checkAt}; {@code checkAt}, then {@code due}), so
 * at least one of them sees the other: a new deadline is either seen by a running check or gets a check of its own.
 * A check that finds nothing to do costs nothing more.
 */
final class Deadline {
  private final ScheduledExecutorService timer;
  private final Runnable expired;
  /** System.nanoTime() past which the running entry is overdue; 0: nothing runs under a budget. */
  private volatile long due;
  /** When the earliest scheduled check runs; 0: none is scheduled. */
  private volatile long checkAt;
  private volatile boolean fired;

  /** {@code expired} runs on the watchdog's thread once, when an armed deadline passes. */
  Deadline(ScheduledExecutorService timer, Runnable expired) {
    this.timer = timer;
    this.expired = expired;
  }

  /** What now starts running may take {@code budgetMs} (0 or less: no limit). */
  void arm(long budgetMs) {
    if (budgetMs <= 0) {
      due = 0;
      return;
    }
    long d = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(budgetMs);
    due = d == 0 ? 1 : d;
    long c = checkAt;
    if (c == 0 || c - d > 0) {
      schedule(d);
    }
  }

  /** What ran has finished. */
  void disarm() {
    due = 0;
  }

  /** Whether a deadline passed (the process was ended for it). */
  boolean fired() {
    return fired;
  }

  private void schedule(long at) {
    checkAt = at;
    try {
      timer.schedule(this::check, Math.max(0, at - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // the scorer is closing: its processes are ended anyway
    }
  }

  private void check() {
    checkAt = 0;
    long d = due;
    if (d == 0) {
      return;
    }
    if (System.nanoTime() - d >= 0) {
      due = 0;
      fired = true;
      expired.run();
    } else {
      schedule(d);
    }
  }
}
