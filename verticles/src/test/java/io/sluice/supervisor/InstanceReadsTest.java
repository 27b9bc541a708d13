package io.sluice.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The leader reads the instance map again after a change was signalled or 10 s on, and otherwise uses its last read;
 * a read that a change overtook is not kept.
 */
class InstanceReadsTest {
  private final List<JsonObject> map = new ArrayList<>();
  private final AtomicInteger reads = new AtomicInteger();
  private final AtomicLong clock = new AtomicLong(1_000_000);

  private Future<List<JsonObject>> read() {
    reads.incrementAndGet();
    return Future.succeededFuture(List.copyOf(map));
  }

  @Test
  void readsAgainOnlyAfterAChangeOrTenSeconds() {
    InstanceReads r = new InstanceReads(this::read, clock::get);
    map.add(new JsonObject().put("id", "a"));
    assertThat(r.values().result()).hasSize(1);
    map.add(new JsonObject().put("id", "b"));
    clock.addAndGet(9_000);
    assertThat(r.values().result()).as("nothing signalled: the last read").hasSize(1);
    assertThat(reads).hasValue(1);
    r.changed();
    assertThat(r.values().result()).as("after a change").hasSize(2);
    map.add(new JsonObject().put("id", "c"));
    clock.addAndGet(InstanceReads.FULL_READ_MS);
    assertThat(r.values().result()).as("10 s on, whatever happened").hasSize(3);
    assertThat(reads).hasValue(3);
  }

  @Test
  void aReadThatAChangeOvertookIsNotKept() {
    Promise<List<JsonObject>> inFlight = Promise.promise();
    InstanceReads r = new InstanceReads(() -> {
      return reads.get() == 0 ? inFlight.future().onComplete(x -> reads.incrementAndGet()) : read();
    }, clock::get);
    Future<List<JsonObject>> first = r.values();
    r.changed(); // an event while the read is on its way: it may not be in the answer
    inFlight.complete(List.of());
    assertThat(first.result()).isEmpty();
    map.add(new JsonObject().put("id", "a"));
    assertThat(r.values().result()).as("read again").hasSize(1);
    assertThat(reads).hasValue(2);
  }
}
