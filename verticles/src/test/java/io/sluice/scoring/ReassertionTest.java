package io.sluice.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * An instance writes its entry again at the first tick after a member joined and 10 s later, every 30 s otherwise,
 * and at every tick while its last state write failed; at rest it writes once per 30 s, not once per tick.
 */
class ReassertionTest {
  private static final long T = Reassertion.TICK_MS;

  @Test
  void atRestOncePerQuietPeriod() {
    long start = 100_000;
    long last = start;
    int writes = 0;
    for (long now = start + T; now <= start + 120_000; now += T) {
      if (Reassertion.due(now, last, 0, true)) {
        writes++;
        last = now;
      }
    }
    assertThat(writes).as("writes in two minutes at rest").isEqualTo(4);
  }

  @Test
  void aJoinedMemberMeansOneWriteAtOnceAndOneTenSecondsOn() {
    long last = 100_000;
    long joined = 101_000;
    assertThat(Reassertion.due(102_000, last, joined, true)).as("first tick after the join").isTrue();
    last = 102_000;
    for (long now = 104_000; now < joined + 10_000; now += T) {
      assertThat(Reassertion.due(now, last, joined, true)).as("between the two, at %d", now).isFalse();
    }
    assertThat(Reassertion.due(112_000, last, joined, true)).as("10 s after the join").isTrue();
    last = 112_000;
    assertThat(Reassertion.due(114_000, last, joined, true)).as("then quiet again").isFalse();
    assertThat(Reassertion.due(141_999, last, joined, true)).isFalse();
    assertThat(Reassertion.due(142_000, last, joined, true)).as("30 s on").isTrue();
  }

  @Test
  void aFailedStateWriteIsRetriedEveryTick() {
    assertThat(Reassertion.due(100_002, 100_000, 0, false)).isTrue();
  }

  @Test
  void startsAreSpreadOverTheQuietPeriod() {
    Random random = new Random(7);
    long now = 1_000_000;
    long[] firstDue = new long[1000];
    for (int i = 0; i < firstDue.length; i++) {
      long last = Reassertion.spreadStart(now, random);
      assertThat(last).isBetween(now - Reassertion.QUIET_MS, now);
      long t = now;
      while (!Reassertion.due(t, last, 0, true)) {
        t += T;
      }
      firstDue[i] = t - now;
    }
    // 15 ticks in 30 s: no tick takes more than a fifth of the instances
    java.util.Map<Long, Long> perTick = java.util.Arrays.stream(firstDue).boxed()
        .collect(java.util.stream.Collectors.groupingBy(x -> x, java.util.stream.Collectors.counting()));
    assertThat(perTick.size()).isGreaterThanOrEqualTo(14);
    assertThat(perTick.values()).allMatch(n -> n < 200);
  }
}
