package io.sluice.scorer;

import java.util.concurrent.CompletionException;

/**
 * A request the scorer gave back without running it (it stopped while the request waited in its queue): the caller
 * may send it to another instance, since the script never saw it.
 */
public final class NeverRan extends IllegalStateException {
  public NeverRan(String message) {
    super(message);
  }

  /** Whether {@code err} (perhaps wrapped by a CompletionStage) is a request that never ran. */
  public static boolean is(Throwable err) {
    Throwable e = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
    return e instanceof NeverRan;
  }
}
