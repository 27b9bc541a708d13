package io.sluice.router;

import io.sluice.protocol.InstanceEvents;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Notices a missed instance event: each node numbers the events it publishes, and a number that never arrives means
 * one went missing. A node's instances publish from several threads, so numbers may arrive out of order: a missing
 * number counts as missed only after {@link #GRACE_MS} without it. Events without a number (an older node's) are
 * never a gap. Pure; one per router, forgetting a node when it leaves. Bounded: at most {@link #MAX_MISSING}
 * numbers are awaited per node; past that the node counts as missed at once.
 */
final class EventGaps {
  static final long GRACE_MS = 1000;
  static final int MAX_MISSING = 1000;

  private static final class Origin {
    long highest;
    /** The numbers not seen yet below {@code highest}, with when their absence was noticed. */
    final TreeMap<Long, Long> missing = new TreeMap<>();
    boolean overflow;
  }

  private final Map<String, Origin> origins = new HashMap<>();

  /** Records an event's number, at {@code nowMs}. */
  void record(JsonObject event, long nowMs) {
    String origin = event.getString(InstanceEvents.ORIGIN);
    Long seq = event.getLong(InstanceEvents.SEQ);
    if (origin == null || seq == null) {
      return;
    }
    Origin o = origins.get(origin);
    if (o == null) {
      o = new Origin();
      o.highest = seq;
      origins.put(origin, o);
      return;
    }
    if (seq > o.highest) {
      for (long n = o.highest + 1; n < seq && !o.overflow; n++) {
        o.missing.put(n, nowMs);
        o.overflow = o.missing.size() > MAX_MISSING;
      }
      o.highest = seq;
    } else {
      o.missing.remove(seq);
    }
  }

  /** True when some number has been missing for longer than the grace (then it is forgotten: a resync follows). */
  boolean overdue(long nowMs) {
    boolean late = false;
    for (Origin o : origins.values()) {
      Iterator<Long> since = o.missing.values().iterator();
      while (since.hasNext()) {
        long noticed = since.next();
        if (o.overflow || nowMs - noticed >= GRACE_MS) {
          late = true;
          since.remove();
        }
      }
      o.overflow = false;
    }
    return late;
  }

  /** A resync reads everything: what was missing before it began no longer matters. */
  void resyncing() {
    origins.values().forEach(o -> o.missing.clear());
  }

  void forget(String nodeId) {
    origins.remove(nodeId);
  }
}
