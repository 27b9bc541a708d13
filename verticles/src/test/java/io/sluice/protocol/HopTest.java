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
  /** Whether an answer hopped to {@code target} from {@code from} ran inline or queued, and on which thread. */
  private static String[] hop(ContextInternal from, ContextInternal target) throws Exception {
    return hop(task -> from.runOnContext(v -> task.run()), target);
  }

  private static String[] hop(java.util.function.Consumer<Runnable> from, ContextInternal target) throws Exception {
    CompletableFuture<String[]> seen = new CompletableFuture<>();
    from.accept(() -> {
      // inline: on the caller's thread while Hop.to is still running (a task on another thread may run before
      // Hop.to returns, so "not returned yet" alone would not tell)
      Thread caller = Thread.currentThread();
      boolean[] inHop = {true};
      Hop.to(target, () -> seen.complete(new String[] {Thread.currentThread() == caller && inHop[0] ? "inline"
          : "queued", Thread.currentThread().getName()}));
      inHop[0] = false;
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
      // another loop's thread: a task on the target's loop
      assertThat(hop(other, loop)).containsExactly("queued", loopThread);
      // a scorer's own thread (Python and Java workers answer there)
      assertThat(hop(task -> new Thread(task).start(), loop)).containsExactly("queued", loopThread);
    } finally {
      vertx.close().await();
    }
  }
}
