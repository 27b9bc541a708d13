package io.sluice.it;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.awaitility.core.ConditionFactory;

/**
 * The tests' one vocabulary for waiting, on Awaitility: poll a condition until it holds (or holds for a while) or
 * the timeout passes, then fail saying what was awaited. Exceptions while polling count as "not yet"; an
 * AssertionError thrown by the condition (it can never become true, e.g. a process died) fails at once.
 */
public final class Await {
  private static final Duration POLL = Duration.ofMillis(100);

  private Await() {
  }

  private static ConditionFactory waiting(String what, Duration timeout) {
    return await(what).atMost(timeout).pollDelay(Duration.ZERO).pollInterval(POLL)
        .ignoreExceptionsMatching(e -> !(e instanceof AssertionError));
  }

  /** Waits until {@code condition} is true. */
  public static void until(Callable<Boolean> condition, Duration timeout, String what) {
    waiting(what, timeout).until(condition);
  }

  /** Polls {@code value} until {@code ok} accepts what it returns, and returns that value. */
  public static <T> T until(Callable<T> value, Predicate<T> ok, Duration timeout, String what) {
    return waiting(what, timeout).until(value, ok);
  }

  /**
   * Waits until {@code condition} has held without a break for {@code stableFor}: for "it settles and stays so",
   * where a transient breach is allowed (e.g. a duplicate that appears and is stopped) but a lasting one is not.
   */
  public static void stable(Callable<Boolean> condition, Duration stableFor, Duration timeout, String what) {
    waiting(what, timeout).during(stableFor).until(condition);
  }
}
