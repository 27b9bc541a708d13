package io.sluice.router;

import io.sluice.protocol.InstanceEvents;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * Notices a missed instance event: each node numbers the events it publishes, and a number that jumps means one
 * went missing (events from one node arrive in order, over one connection). Events without a number (an older
 * node's) are never a gap. Pure; one per router, forgetting a node when it leaves.
 */
final class EventGaps {
  private final Map<String, Long> last = new HashMap<>();

  /** Records the event's number; true when one or more before it from the same node never arrived. */
  boolean missedBefore(JsonObject event) {
    String origin = event.getString(InstanceEvents.ORIGIN);
    Long seq = event.getLong(InstanceEvents.SEQ);
    if (origin == null || seq == null) {
      return false;
    }
    Long before = last.get(origin);
    if (before == null || seq > before) {
      last.put(origin, seq);
    }
    return before != null && seq > before + 1;
  }

  void forget(String nodeId) {
    last.remove(nodeId);
  }
}
