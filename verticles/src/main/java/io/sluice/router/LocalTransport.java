package io.sluice.router;

import io.sluice.scorer.NeverRan;
import io.sluice.scorer.ScoreResult;
import io.sluice.scoring.LocalInstances;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Instances in this JVM, called directly ({@link LocalInstances}): no event-bus copy, no thread hand-offs. The
 * deadline is a timer: a scorer that never answers costs its caller a 408, as over the event bus.
 */
final class LocalTransport implements ScorerTransport {
  private final Vertx vertx;
  private final Context context;

  LocalTransport(Vertx vertx, Context context) {
    this.vertx = vertx;
    this.context = context;
  }

  @Override
  public boolean reaches(Call c) {
    return LocalInstances.get(c.instance()) != null;
  }

  @Override
  public void call(Call c, Handler<AsyncResult<Reply>> done) {
    LocalInstances.Instance local = LocalInstances.get(c.instance());
    if (local == null) {
      done.handle(Future.failedFuture(new ReplyException(ReplyFailure.NO_HANDLERS, "instance " + c.instance()
          + " is gone")));
      return;
    }
    CompletionStage<ScoreResult> answer;
    try {
      answer = local.score(c.requestId(), c.body().getBytes(), c.http(), c.redirectable());
    } catch (LocalInstances.Refused e) {
      done.handle(Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 503, e.getMessage())));
      return;
    }
    Once once = new Once(done);
    // a non-blocking scorer has answered already: no deadline to keep (and no timer to set per request)
    if (!(answer instanceof CompletableFuture<ScoreResult> f && f.isDone())) {
      once.timer = vertx.setTimer(c.deadlineMs(), t -> once.handle(Future.failedFuture(new ReplyException(
          ReplyFailure.TIMEOUT, "no answer from instance " + c.instance() + " within " + c.deadlineMs() + " ms"))));
    }
    Thread loop = Thread.currentThread();
    answer.whenComplete((r, err) -> {
      // 503 for a request the scorer gave back unrun (it stopped meanwhile): the router may send it elsewhere
      AsyncResult<Reply> ar = err != null ? Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE,
          NeverRan.is(err) ? 503 : 500, "the scorer failed: " + err.getMessage())) : Future.succeededFuture(Reply.of(r));
      if (Thread.currentThread() == loop) {
        once.handle(ar); // a non-blocking scorer answered on this very thread
      } else {
        context.runOnContext(v -> once.handle(ar));
      }
    });
  }

  /** The first of answer and deadline wins; both run on the router's event loop. */
  private final class Once implements Handler<AsyncResult<Reply>> {
    private final Handler<AsyncResult<Reply>> done;
    private long timer = -1;
    private boolean fired;

    Once(Handler<AsyncResult<Reply>> done) {
      this.done = done;
    }

    @Override
    public void handle(AsyncResult<Reply> ar) {
      if (fired) {
        return;
      }
      fired = true;
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
      done.handle(ar);
    }
  }
}
