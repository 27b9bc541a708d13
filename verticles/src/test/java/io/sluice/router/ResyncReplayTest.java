package io.sluice.router;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResyncReplayTest {
  @Test
  void eventsDuringAResyncAreReplayedAndNoneOutsideOne() {
    ResyncReplay<String> r = new ResyncReplay<>(10);
    r.record("before");
    int t = r.begin();
    r.record("ready");
    assertThat(r.finish(t)).containsExactly("ready");
    r.record("after");
    int u = r.begin();
    assertThat(r.finish(u)).isEmpty();
  }

  @Test
  void overlappingResyncsEachReplayWhatCameAfterTheirStart() {
    ResyncReplay<String> r = new ResyncReplay<>(10);
    int a = r.begin();
    r.record("one");
    int b = r.begin();
    r.record("two");
    assertThat(r.finish(b)).containsExactly("two");
    r.record("three");
    assertThat(r.finish(a)).containsExactly("one", "two", "three");
  }

  @Test
  void tooManyEventsMeanReadAgainAndAFailedResyncKeepsNothing() {
    ResyncReplay<String> r = new ResyncReplay<>(2);
    int t = r.begin();
    r.record("a");
    r.record("b");
    r.record("c");
    assertThat(r.finish(t)).isNull();
    int u = r.begin();
    r.record("d");
    r.abandon(u);
    int v = r.begin();
    assertThat(r.finish(v)).isEmpty();
  }
}
