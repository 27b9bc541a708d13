package io.sluice.scorer.python;

import io.sluice.scorer.ScoreResult;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * resources.limits.memory for one worker process: every 200 ms its resident memory is read, and a process over the
 * limit is killed (the slot replaces it). Remembers what the process used, to tell its request and the log why.
 */
final class MemoryWatch {
  private final long limit;
  private final ScheduledFuture<?> task;
  private volatile long killedAt;

  /** Watches {@code p} when {@code limit} is positive; otherwise does nothing. */
  MemoryWatch(Process p, long limit, ScheduledExecutorService watchdog) {
    this.limit = limit;
    this.task = limit <= 0 ? null : watchdog.scheduleWithFixedDelay(() -> {
      long rss = RunnerFrames.residentBytes(p.pid());
      if (rss > limit && killedAt == 0) {
        killedAt = rss;
        p.toHandle().destroyForcibly();
      }
    }, 200, 200, TimeUnit.MILLISECONDS);
  }

  boolean killed() {
    return killedAt > 0;
  }

  /** What the request that was running gets. */
  ScoreResult answer() {
    return ScoreResult.runtime(500, "the scoring process was killed while running this request: it used "
        + (killedAt >> 20) + " MiB, over resources.limits.memory (" + (limit >> 20) + " MiB); check the logs", 0);
  }

  /** Why the process ended, for the instance log. */
  String reason() {
    return "memory limit: resident memory " + (killedAt >> 20) + " MiB over resources.limits.memory "
        + (limit >> 20) + " MiB; worker killed";
  }

  void stop() {
    if (task != null) {
      task.cancel(false);
    }
  }
}
