package io.sluice.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Where an answer runs: at once on its loop's thread (a request's duplicate context too), else as a task there. */
class HopTest {
  /** Whether {@code r} ran before Hop.to returned, and on which thread, when hopped to {@code target} from {@code from}. */
  private static String[] hop(ContextInternal from, ContextInternal target) throws Exception {
    CompletableFuture<String[]> seen = new CompletableFuture<>();
    from.runOnContext(v -> {
      boolean[] returned = {false};
      Hop.to(target, () -> seen.complete(new String[] {returned[0] ? "queued" : "inline",
          Thread.currentThread().getName()}));
      returned[0] = true;
    });
    return seen.get(10, TimeUnit.SECONDS);
  }

  @Test
  void onTheLoopsThreadItRunsAtOnceUnderADuplicateContextToo() throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    try {
      VertxInternal internal = (VertxInternal) vertx;
      ContextInternal loop = internal.createEventLoopContext();
      ContextInternal other = internal.createEventLoopContext();
      for (int i = 0; i < 8 && other.nettyEventLoop() == loop.nettyEventLoop(); i++) {
        other = internal.createEventLoopContext(); // new contexts take the loops in turn
      }
      assertThat(other.nettyEventLoop()).isNotSameAs(loop.nettyEventLoop());
      String loopThread = hop(loop, loop)[1];

      assertThat(hop(loop, loop)[0]).isEqualTo("inline");
      // Vert.x runs each HTTP request on a duplicate of the server's context: the same thread, another object
      assertThat(hop(loop.duplicate(), loop)).containsExactly("inline", loopThread);
      assertThat(hop(loop, loop.duplicate())).containsExactly("inline", loopThread);
      // another loop's thread, or a worker's: a task on the target's loop
      assertThat(hop(other, loop)).containsExactly("queued", loopThread);
      ContextInternal worker = internal.createWorkerContext();
      assertThat(hop(worker, loop)).containsExactly("queued", loopThread);
    } finally {
      vertx.close().await();
    }
  }
}
