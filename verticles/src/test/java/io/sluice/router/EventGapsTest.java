package io.sluice.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.protocol.InstanceEvents;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** A router resyncs when a node's event count jumps, and only then (not on its first event, not on old nodes'). */
class EventGapsTest {
  private static JsonObject e(String origin, long seq) {
    return new JsonObject().put(InstanceEvents.ORIGIN, origin).put(InstanceEvents.SEQ, seq);
  }

  @Test
  void aJumpInOneNodesCountIsAGapAndNothingElseIs() {
    EventGaps g = new EventGaps();
    assertThat(g.missedBefore(e("a", 7))).as("the first heard of a node").isFalse();
    assertThat(g.missedBefore(e("a", 8))).isFalse();
    assertThat(g.missedBefore(e("b", 1))).as("another node counts for itself").isFalse();
    assertThat(g.missedBefore(e("a", 10))).as("9 never came").isTrue();
    assertThat(g.missedBefore(e("a", 9))).as("late, not missing").isFalse();
    assertThat(g.missedBefore(e("a", 11))).isFalse();
    assertThat(g.missedBefore(new JsonObject())).as("an older node's event has no count").isFalse();
    g.forget("a");
    assertThat(g.missedBefore(e("a", 20))).as("forgotten: heard anew").isFalse();
  }
}
