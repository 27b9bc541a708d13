package io.sluice.supervisor;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The leader's reads of the instance map. Reading it every round (every second, and after every burst of events)
 * cost the leader a query every member answers, then an HMAC check and a JSON parse per entry: at rest, with nothing
 * changing, the largest part of a 3,000-instance cluster's CPU (docs/capacity.md). A round now reads the map again
 * only when something may have changed it since the last read: an event on {@code sluice.events} (every state an
 * instance writes is published), a member joining or leaving, the leader's own orders and removals; and at least
 * every {@link #FULL_READ_MS} whatever happened (what publishes nothing: an entry a member deleted, one a re-assert
 * restored, the entry a node removes after its instance failed to start). One event loop.
 */
final class InstanceReads {
  static final long FULL_READ_MS = 10_000;

  /** One read of the instance map's values. */
  private final Supplier<Future<List<JsonObject>>> read;
  private final LongSupplier clock;
  /** Counts the reasons to read again; a read is kept only if none came while it was in flight. */
  private long changes;
  private List<JsonObject> last;
  private long lastChanges = -1;
  private long lastAtMs;

  InstanceReads(Supplier<Future<List<JsonObject>>> read, LongSupplier clock) {
    this.read = read;
    this.clock = clock;
  }

  /** Something may have changed the map: the next round reads it. */
  void changed() {
    changes++;
  }

  /** The instance map's values: as last read if nothing may have changed them since, else read now. */
  Future<List<JsonObject>> values() {
    long now = clock.getAsLong();
    if (fresh(last != null, lastChanges, changes, lastAtMs, now)) {
      return Future.succeededFuture(last);
    }
    long asOf = changes;
    return read.get().onSuccess(v -> {
      last = v;
      lastChanges = asOf;
      lastAtMs = now;
    });
  }

  /** Whether a read made at {@code readAtMs}, when the change count was {@code readChanges}, may still be used. */
  static boolean fresh(boolean haveRead, long readChanges, long changesNow, long readAtMs, long nowMs) {
    return haveRead && readChanges == changesNow && nowMs - readAtMs < FULL_READ_MS;
  }
}
