package io.sluice.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FrameBudgetTest {
  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void framesThatDoNotFitWaitInOrderAndAreLetInAsBytesComeBack() throws Exception {
    FrameBudget b = new FrameBudget(100);
    List<String> admitted = new CopyOnWriteArrayList<>();
    var ctx = vertx.getOrCreateContext();
    assertThat(b.take(60, ctx, () -> admitted.add("a"))).isNull();
    FrameBudget.Waiter w1 = b.take(50, ctx, () -> admitted.add("b"));
    FrameBudget.Waiter w2 = b.take(10, ctx, () -> admitted.add("c")); // fits, but waits behind b: first come first
    assertThat(w1).isNotNull();
    assertThat(w2).isNotNull();
    assertThat(b.free()).isEqualTo(40);
    b.give(60);
    io.sluice.it.Await.until(() -> admitted.size() == 2, java.time.Duration.ofSeconds(5), "b and c let in");
    assertThat(admitted).containsExactly("b", "c");
    assertThat(b.free()).isEqualTo(40);
    assertThat(b.waiting()).isZero();
  }

  @Test
  void aCancelledWaiterIsNeverLetInAndTheOnesBehindItMove() throws Exception {
    FrameBudget b = new FrameBudget(100);
    List<String> admitted = new CopyOnWriteArrayList<>();
    var ctx = vertx.getOrCreateContext();
    b.take(90, ctx, () -> { });
    FrameBudget.Waiter big = b.take(100, ctx, () -> admitted.add("big"));
    b.take(5, ctx, () -> admitted.add("small"));
    b.cancel(big);
    io.sluice.it.Await.until(() -> admitted.size() == 1, java.time.Duration.ofSeconds(5), "small let in");
    assertThat(admitted).containsExactly("small");
    assertThatThrownBy(() -> b.take(101, ctx, () -> { })).isInstanceOf(IllegalArgumentException.class);
  }
}
