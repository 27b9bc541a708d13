package io.sluice.protocol;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * The one way an answer gets back to the event loop that asked for it: at once when it is already there (a
 * non-blocking scorer answers on the caller's own thread, so a hand-off would only cost a task), else as a task on
 * that loop (Python and Java workers answer on their own threads).
 */
public final class Hop {
  private Hop() {
  }

  public static void to(Context context, Runnable r) {
    if (Vertx.currentContext() == context) {
      r.run();
    } else {
      context.runOnContext(v -> r.run());
    }
  }
}
