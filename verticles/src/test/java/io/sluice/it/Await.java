package io.sluice.it;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/** The one way tests wait: poll a condition until it holds or the timeout passes, then fail saying what was awaited. */
public final class Await {
  private static final long POLL_MS = 100;

  private Await() {
  }

  /**
   * Waits until {@code condition} is true. Exceptions while polling count as "not yet"; an AssertionError thrown by
   * the condition (it can never become true, e.g. a process died) fails at once.
   */
  public static void until(Callable<Boolean> condition, Duration timeout, String what) {
    until(condition, b -> Boolean.TRUE.equals(b), timeout, what);
  }

  /**
   * Polls {@code value} until {@code ok} accepts what it returns, and returns that value. Fails with the last value
   * (or the last exception) when the timeout passes first.
   */
  public static <T> T until(Callable<T> value, Predicate<T> ok, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = null;
    Exception lastError = null;
    while (true) {
      try {
        last = value.call();
        lastError = null;
        if (ok.test(last)) {
          return last;
        }
      } catch (AssertionError e) {
        throw e;
      } catch (Exception e) {
        lastError = e;
      }
      if (System.nanoTime() > deadline) {
        AssertionError failure = new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for "
            + what + "; last seen: " + (lastError != null ? lastError : last));
        if (lastError != null) {
          failure.initCause(lastError);
        }
        throw failure;
      }
      try {
        Thread.sleep(POLL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }

  /**
   * Waits until {@code condition} has held without a break for {@code stableFor}: for "it settles and stays so",
   * where a transient breach is allowed (e.g. a duplicate that appears and is stopped) but a lasting one is not.
   */
  public static void stable(Callable<Boolean> condition, Duration stableFor, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long since = -1;
    while (true) {
      boolean ok;
      try {
        ok = Boolean.TRUE.equals(condition.call());
      } catch (AssertionError e) {
        throw e;
      } catch (Exception e) {
        ok = false;
      }
      long now = System.nanoTime();
      if (!ok) {
        if (since >= 0) {
          System.out.println("await: '" + what + "' broke after " + (now - since) / 1_000_000 + " ms; waiting again");
        }
        since = -1;
      } else if (since < 0) {
        since = now;
      } else if (now - since >= stableFor.toNanos()) {
        return;
      }
      if (now > deadline) {
        throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what + " to hold for "
            + stableFor.toMillis() + " ms");
      }
      try {
        Thread.sleep(POLL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }
}
