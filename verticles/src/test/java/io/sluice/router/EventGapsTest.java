package io.sluice.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.protocol.InstanceEvents;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * A router resyncs when one of a node's numbered events has not come within a second, and only then: not for events
 * that arrive out of order, not on a node's first event, not for an older node's unnumbered events.
 */
class EventGapsTest {
  private static JsonObject e(String origin, long seq) {
    return new JsonObject().put(InstanceEvents.ORIGIN, origin).put(InstanceEvents.SEQ, seq);
  }

  @Test
  void aNumberMissingForASecondIsAGapAndNothingElseIs() {
    EventGaps g = new EventGaps();
    g.record(e("a", 7), 0);
    g.record(e("a", 8), 0);
    g.record(e("b", 1), 0);
    g.record(new JsonObject(), 0);
    assertThat(g.overdue(5_000)).as("in order, first of each node, unnumbered").isFalse();
    g.record(e("a", 10), 10_000);
    g.record(e("a", 9), 10_300);
    assertThat(g.overdue(12_000)).as("9 came late, out of order: not missing").isFalse();
    g.record(e("a", 12), 20_000);
    assertThat(g.overdue(20_500)).as("11 still within its grace").isFalse();
    assertThat(g.overdue(21_000)).as("11 never came").isTrue();
    assertThat(g.overdue(30_000)).as("told once; the resync covers it").isFalse();
    g.record(e("a", 14), 40_000);
    g.resyncing();
    assertThat(g.overdue(50_000)).as("a resync began after 13 went missing").isFalse();
    g.forget("a");
    g.record(e("a", 20), 60_000);
    assertThat(g.overdue(70_000)).as("forgotten: heard anew").isFalse();
  }

  @Test
  void aFloodOfMissingNumbersIsBoundedAndToldAtOnce() {
    EventGaps g = new EventGaps();
    g.record(e("a", 1), 0);
    g.record(e("a", 1_000_000), 0);
    assertThat(g.overdue(0)).isTrue();
    assertThat(g.overdue(10_000)).isFalse();
  }
}
