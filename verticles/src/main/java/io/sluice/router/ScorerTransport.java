package io.sluice.router;

import io.sluice.protocol.Answer;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;

/**
 * How a router reaches one scorer instance. Two ways, one contract: {@link LocalTransport} for instances in this
 * JVM (a direct call), {@link ChannelTransport} for instances on nodes it holds a channel to, {@link EventBusTransport}
 * for the rest ({@code sluice.scorer.<id>}). All answer on the router's event loop, exactly once, with an
 * {@link Answer}: a call with no answer by its deadline is {@link Answer.Failed} (timed out); a call that provably
 * never ran is {@link Answer.NeverRan}, so the dispatcher may try another instance.
 */
interface ScorerTransport {

  /** One request to one instance. {@code deadlineMs}: the router's deadline, the same for either transport. */
  record Call(String instance, String node, String requestId, io.sluice.protocol.HttpParts http, Buffer body,
              long deadlineMs, boolean redirectable, boolean mirror) {
  }

  /** Whether this transport can take the call now (the event bus reaches every instance). */
  boolean reaches(Call call);

  void call(Call call, Handler<Answer> done);
}
