package io.sluice.router;

import io.sluice.protocol.InstanceInfo;
import io.sluice.protocol.InstanceState;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * A router's view of the instances, from their events and from reads of the instance map. Events and reads race (a
 * read may have been answered before an event that arrived first), so the view never goes back: an instance it knows
 * to be draining or failed is not made Ready again by a late event or an older read; it can only go. Pure; one
 * event loop.
 */
final class ObservedInstances {
  private final Map<String, InstanceInfo> byId = new HashMap<>();

  Collection<InstanceInfo> all() {
    return byId.values();
  }

  /** An instance's event: Gone removes it; anything else is taken unless it would bring an ending instance back. */
  void event(InstanceInfo i) {
    if (i.state() == InstanceState.Gone) {
      byId.remove(i.id());
    } else if (takes(i)) {
      byId.put(i.id(), i);
    }
  }

  /** A read of the instance map merged in (what it knows of instances whose events have not arrived yet). */
  void merge(Collection<InstanceInfo> read) {
    read.forEach(this::event);
  }

  /** A resync: the read replaces the view (then the events that arrived meanwhile are replayed on top). */
  void replace(Collection<InstanceInfo> read) {
    byId.clear();
    read.forEach(i -> byId.put(i.id(), i));
  }

  /** A member left: its instances are gone with it. */
  void nodeGone(String nodeId) {
    byId.values().removeIf(i -> nodeId != null && nodeId.equals(i.nodeId()));
  }

  private boolean takes(InstanceInfo i) {
    InstanceInfo known = byId.get(i.id());
    return known == null || !known.state().ending() || i.state().ending();
  }
}
