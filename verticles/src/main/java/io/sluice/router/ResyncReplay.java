package io.sluice.router;

import java.util.ArrayList;
import java.util.List;

/**
 * The events that arrived while a resync was in flight, to replay on top of its answer. A resync reads the instance
 * map and the desired state; an event landing between that read and the answer (an instance's Ready, say) would be
 * overwritten by the older read and lost until the next resync, and the router would answer 503 for an instance
 * that already shows Ready. Events are kept only while some resync is in flight, and at most {@code max} of them:
 * past that the resync is dropped ({@link #finish} answers null) and must be done again. Not thread-safe: one event
 * loop.
 */
final class ResyncReplay<E> {
  private final int max;
  private final List<E> events = new ArrayList<>();
  private int inFlight;
  private boolean overflow;

  ResyncReplay(int max) {
    this.max = max;
  }

  /** A resync starts; the answer is its ticket for {@link #finish} or {@link #abandon}. */
  int begin() {
    inFlight++;
    return events.size();
  }

  /** An event was applied; kept if a resync is in flight. */
  void record(E event) {
    if (inFlight == 0) {
      return;
    }
    if (events.size() < max) {
      events.add(event);
    } else {
      overflow = true;
    }
  }

  /** The resync with this ticket answered: the events to apply on top of its answer, or null to read again. */
  List<E> finish(int ticket) {
    List<E> replay = overflow ? null : List.copyOf(events.subList(Math.min(ticket, events.size()), events.size()));
    end();
    return replay;
  }

  /** The resync with this ticket failed: nothing to replay. */
  void abandon(int ticket) {
    end();
  }

  private void end() {
    if (--inFlight == 0) {
      events.clear();
      overflow = false;
    }
  }
}
