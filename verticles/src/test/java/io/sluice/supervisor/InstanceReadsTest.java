package io.sluice.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The leader reads the instance map again after a change was signalled or 10 s on, and otherwise uses its last read;
 * a read that a change overtook is not kept.
 */
class InstanceReadsTest {
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void readsAgainOnlyAfterAChangeOrTenSeconds() throws Exception {
    AsyncMap<String, JsonObject> map = vertx.sharedData().<String, JsonObject>getLocalAsyncMap("reads-test")
        .await(10, TimeUnit.SECONDS);
    AtomicLong clock = new AtomicLong(1_000_000);
    InstanceReads reads = new InstanceReads(map, clock::get);
    map.put("a", new JsonObject()).await(10, TimeUnit.SECONDS);
    assertThat(reads.values().await(10, TimeUnit.SECONDS)).hasSize(1);
    map.put("b", new JsonObject()).await(10, TimeUnit.SECONDS);
    clock.addAndGet(9_000);
    assertThat(reads.values().await(10, TimeUnit.SECONDS)).as("nothing signalled: the last read").hasSize(1);
    reads.changed();
    assertThat(reads.values().await(10, TimeUnit.SECONDS)).as("after a change").hasSize(2);
    map.put("c", new JsonObject()).await(10, TimeUnit.SECONDS);
    clock.addAndGet(InstanceReads.FULL_READ_MS);
    assertThat(reads.values().await(10, TimeUnit.SECONDS)).as("10 s on, whatever happened").hasSize(3);
  }

  @Test
  void aReadThatAChangeOvertookIsNotKept() {
    assertThat(InstanceReads.fresh(true, 4, 4, 0, 9_999)).isTrue();
    assertThat(InstanceReads.fresh(true, 4, 5, 0, 1)).as("a change since").isFalse();
    assertThat(InstanceReads.fresh(false, 4, 4, 0, 1)).as("never read").isFalse();
    assertThat(InstanceReads.fresh(true, 4, 4, 0, 10_000)).as("10 s old").isFalse();
  }
}
