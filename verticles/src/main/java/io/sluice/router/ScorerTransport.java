package io.sluice.router;

import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;

/**
 * How a router reaches one scorer instance. Two ways, one contract: {@link LocalTransport} for instances in this
 * JVM (a direct call), {@link ChannelTransport} for instances on nodes it holds a channel to, {@link EventBusTransport}
 * for the rest ({@code sluice.scorer.<id>}). Both answer on the
 * router's event loop, and both fail a call that has no answer by its deadline with a {@code TIMEOUT}
 * {@link io.vertx.core.eventbus.ReplyException}; a call that provably never ran fails with {@code NO_HANDLERS} or a
 * {@code RECIPIENT_FAILURE} of 503, so the dispatcher may try another instance.
 */
interface ScorerTransport {

  /** One request to one instance. {@code deadlineMs}: the router's deadline, the same for either transport. */
  record Call(String instance, String node, String requestId, io.sluice.protocol.HttpParts http, Buffer body,
              long deadlineMs, boolean redirectable, boolean mirror) {
  }

  /** Whether this transport can take the call now (the event bus reaches every instance). */
  boolean reaches(Call call);

  void call(Call call, Handler<AsyncResult<Reply>> done);
}
