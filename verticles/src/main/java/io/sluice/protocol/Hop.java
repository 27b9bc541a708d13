package io.sluice.protocol;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;

/**
 * The one way an answer gets back to the event loop that asked for it: at once when it is already there (a
 * non-blocking scorer answers on the caller's own thread, so a hand-off would only cost a task), else as a task on
 * that loop (Python and Java workers answer on their own threads).
 *
 * <p>"Already there" is the loop's thread, not only the same context object: Vert.x runs each HTTP request on a
 * duplicate of the server's context, so an answer made while the request's handler runs is on the right thread
 * under another context. Answered there, its writes join the connection's read and leave in one flush; a task
 * instead wrote them after the read, a flush each (gRPC's headers, message and trailers: three).
 */
public final class Hop {
  private Hop() {
  }

  public static void to(Context context, Runnable r) {
    Context current = Vertx.currentContext();
    if (current == context || (current != null && context.isEventLoopContext() && current.isEventLoopContext()
        && ((ContextInternal) context).nettyEventLoop().inEventLoop())) {
      r.run();
    } else {
      context.runOnContext(v -> r.run());
    }
  }
}
