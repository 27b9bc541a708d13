package io.sluice.protocol;

import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.concurrent.TimeUnit;

/**
 * The bound on every cluster-map call of a control path. Hazelcast can hold a call for as long as it takes to
 * notice that a member died and to re-home its partitions; a control path must not wait that long. A call past
 * {@link #TIMEOUT_MS} fails with a 503 ("retry"), which clients repeat with the same x-ms-client-request-id.
 */
public final class ClusterCalls {
  public static final long TIMEOUT_MS = 5000;

  private ClusterCalls() {
  }

  /** {@code call}, failed with a 503 naming {@code what} if it has not completed within {@link #TIMEOUT_MS}. */
  public static <T> Future<T> bounded(Future<T> call, String what) {
    return call.timeout(TIMEOUT_MS, TimeUnit.MILLISECONDS).recover(err -> Future.failedFuture(
        err instanceof java.util.concurrent.TimeoutException ? new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 503,
            "the cluster did not answer (" + what + ") within " + TIMEOUT_MS + " ms; retry") : err));
  }
}
