package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What the tests rely on when they wait: a breach restarts a stable wait, an assertion inside fails at once. */
class AwaitTest {

  @Test
  void aStableWaitStartsAgainAfterABreach() {
    AtomicInteger polls = new AtomicInteger();
    // true, then false once (a transient breach), then true for good
    Await.stable(() -> polls.incrementAndGet() != 3, Duration.ofMillis(300), Duration.ofSeconds(10), "settled");
    assertThat(polls.get()).as("polled past the breach for the whole stable time").isGreaterThan(4);
  }

  @Test
  void anAssertionInsideFailsAtOnceAndOtherExceptionsMeanNotYet() {
    AtomicInteger polls = new AtomicInteger();
    assertThat(Await.until(() -> {
      if (polls.incrementAndGet() < 3) {
        throw new IllegalStateException("not up yet");
      }
      return polls.get();
    }, n -> n >= 3, Duration.ofSeconds(10), "up")).isEqualTo(3);
    assertThatThrownBy(() -> Await.until(() -> {
      throw new AssertionError("the process died");
    }, Duration.ofSeconds(30), "never")).isInstanceOf(AssertionError.class).hasMessageContaining("the process died");
  }
}
