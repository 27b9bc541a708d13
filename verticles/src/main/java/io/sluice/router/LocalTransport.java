package io.sluice.router;

import io.sluice.protocol.Answer;
import io.sluice.protocol.Hop;
import io.sluice.protocol.Streams;
import io.sluice.scoring.LocalInstances;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Instances in this node, called directly ({@link LocalInstances}): no event-bus copy, no thread hand-offs. The
 * deadline is a timer: a scorer that never answers costs its caller a 408, as over the event bus. A streamed
 * answer's chunks come to the router's event loop too; the scorer keeps the deadlines between them.
 */
final class LocalTransport implements ScorerTransport {
  private final Vertx vertx;
  private final Context context;
  private final LocalInstances locals;

  LocalTransport(Vertx vertx, Context context, LocalInstances locals) {
    this.vertx = vertx;
    this.context = context;
    this.locals = locals;
  }

  @Override
  public boolean reaches(Call c) {
    return locals.get(c.instance()) != null;
  }

  @Override
  public void call(Call c, Handler<Answer> done) {
    LocalInstances.Instance local = locals.get(c.instance());
    if (local == null) {
      done.handle(new Answer.NeverRan("instance " + c.instance() + " is gone"));
      return;
    }
    CompletionStage<Answer> answer = local.score(c.requestId(), c.body().getBytes(), c.http(), c.redirectable());
    Once once = new Once(done);
    // a non-blocking scorer has answered already: no deadline to keep (and no timer to set per request)
    if (!(answer instanceof CompletableFuture<Answer> f && f.isDone())) {
      once.timer = vertx.setTimer(c.deadlineMs(), t -> once.handle(new Answer.Failed(true, "no answer from instance "
          + c.instance() + " within " + c.deadlineMs() + " ms")));
    }
    answer.whenComplete((a, err) -> Hop.to(context, () -> once.handle(a == null ? Answer.failure(err) : onLoop(a))));
  }

  /** A streamed answer's chunks are handed to the router's event loop too. */
  private Answer onLoop(Answer a) {
    return a instanceof Answer.Answered s && s.rest() != null ? s.withRest(Streams.on(context, s.rest()), s.body()) : a;
  }

  /** The first of answer and deadline wins; both run on the router's event loop. */
  private final class Once implements Handler<Answer> {
    private final Handler<Answer> done;
    private long timer = -1;
    private boolean fired;

    Once(Handler<Answer> done) {
      this.done = done;
    }

    @Override
    public void handle(Answer a) {
      if (fired) {
        if (a instanceof Answer.Answered s && s.rest() != null) {
          s.rest().cancel(); // a stream that began past the deadline: nobody will read it
        }
        return;
      }
      fired = true;
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
      done.handle(a);
    }
  }
}
