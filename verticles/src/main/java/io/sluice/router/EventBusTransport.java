package io.sluice.router;

import io.sluice.protocol.Addresses;
import io.sluice.protocol.Answer;
import io.sluice.protocol.BusAnswers;
import io.sluice.protocol.Headers;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;

/** Instances on any node, through their own address: the body travels as bytes, the deadline is the send timeout. */
final class EventBusTransport implements ScorerTransport {
  private final Vertx vertx;

  EventBusTransport(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public boolean reaches(Call c) {
    return true;
  }

  @Override
  public void call(Call c, Handler<Answer> done) {
    DeliveryOptions opts = new DeliveryOptions().setSendTimeout(c.deadlineMs()).addHeader(Headers.REQUEST_ID,
        c.requestId());
    if (c.redirectable()) {
      opts.addHeader(Headers.REDIRECTABLE, "true");
    }
    if (c.mirror()) {
      opts.addHeader(Headers.MIRROR, "true");
    }
    if (!c.http().plainPost()) {
      opts.addHeader(Headers.METHOD, c.http().method()).addHeader(Headers.PATH, c.http().path())
          .addHeader(Headers.QUERY, c.http().query());
    }
    c.http().headers().forEach((k, v) -> opts.addHeader(Headers.FORWARDED_PREFIX + k, v));
    vertx.eventBus().<Buffer>request(Addresses.scorer(c.instance()), c.body(), opts)
        .onComplete(ar -> done.handle(BusAnswers.read(ar)));
  }
}
