package io.sluice.protocol;

import io.vertx.core.AsyncResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An {@link Answer} on the event bus, both ways: an instance's reply to {@code sluice.scorer.<id>} and the router's
 * reading of it. Answered: the body, with the status and the rest in headers. Never ran: a failure of 503 (or no
 * handler at all). Failed: a failure of 500, or the send's own timeout (408).
 */
public final class BusAnswers {
  private BusAnswers() {
  }

  /**
   * The instance's reply. A streamed answer is held whole first ({@link Streams#hold}): its chunks go
   * length-prefixed in the body, marked {@link Headers#STREAMED} with why it broke (empty: it did not).
   */
  public static void reply(Message<Buffer> msg, Answer answer) {
    if (answer instanceof Answer.Answered a && a.rest() != null) {
      io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
      Streams.hold(a.body(), a.rest(), Streams.WHOLE_BYTES).thenAccept(held -> Hop.to(context, () -> {
        Buffer body = Buffer.buffer();
        held.chunks().forEach(c -> body.appendInt(c.length()).appendBuffer(c));
        msg.reply(body, options(a).addHeader(Headers.STREAMED, held.failure() == null ? "" : held.failure()));
      }));
    } else if (answer instanceof Answer.Answered a) {
      msg.reply(a.body(), options(a));
    } else {
      msg.fail(failureCode(answer), reason(answer));
    }
  }

  /** The code a failure travels with: 503 never ran, 500 may have run (a timeout is the sender's own), a refusal's. */
  static int failureCode(Answer answer) {
    if (answer instanceof Answer.NeverRan) {
      return 503;
    }
    return answer instanceof Answer.Refused r ? r.status() : 500;
  }

  static String reason(Answer answer) {
    if (answer instanceof Answer.NeverRan n) {
      return n.reason();
    }
    if (answer instanceof Answer.Failed f) {
      return f.reason();
    }
    return answer instanceof Answer.Refused r ? r.reason() : "answered";
  }

  private static DeliveryOptions options(Answer.Answered a) {
    DeliveryOptions o = new DeliveryOptions()
        .addHeader(Headers.SCRIPT_STATUS, String.valueOf(a.status()))
        .addHeader(Headers.RUN_FN_EXEC_MS, Millis.text(a.runMs()))
        .addHeader(Headers.QUEUE_MS, Millis.text(a.queueMs()));
    if (a.runtime()) {
      o.addHeader(Headers.STATUS_ORIGIN, "runtime");
    }
    if (!"application/json".equals(a.contentType())) {
      o.addHeader(Headers.CONTENT_TYPE, a.contentType());
    }
    if (a.made()) {
      o.addHeader(Headers.MADE, "true");
      a.headers().forEach((k, v) -> o.addHeader(Headers.ANSWER_PREFIX + k, v));
    }
    return o;
  }

  /** The router's reading of a request's outcome; never throws (a reply it cannot read failed after it ran). */
  public static Answer read(AsyncResult<Message<Buffer>> ar) {
    if (ar.failed()) {
      return failure(ar.cause());
    }
    try {
      return answered(ar.result());
    } catch (RuntimeException e) {
      return new Answer.Failed(false, "an unreadable reply from the instance: " + e);
    }
  }

  private static Answer failure(Throwable err) {
    if (err instanceof ReplyException re) {
      return switch (re.failureType()) {
        case NO_HANDLERS -> new Answer.NeverRan(re.getMessage());
        case TIMEOUT -> new Answer.Failed(true, re.getMessage());
        case RECIPIENT_FAILURE -> re.failureCode() == 503 ? new Answer.NeverRan(re.getMessage())
            : new Answer.Failed(false, re.getMessage());
        default -> new Answer.Failed(false, re.getMessage()); // ERROR: the reply could not be delivered
      };
    }
    return new Answer.Failed(false, String.valueOf(err));
  }

  private static Answer.Answered answered(Message<Buffer> m) {
    boolean made = m.headers().contains(Headers.MADE);
    Map<String, String> headers = Map.of();
    if (made) {
      headers = new LinkedHashMap<>();
      for (Map.Entry<String, String> h : m.headers()) {
        if (h.getKey().startsWith(Headers.ANSWER_PREFIX)) {
          headers.put(h.getKey().substring(Headers.ANSWER_PREFIX.length()), h.getValue());
        }
      }
    }
    Answer.Answered a = new Answer.Answered(Integer.parseInt(m.headers().get(Headers.SCRIPT_STATUS)),
        "runtime".equals(m.headers().get(Headers.STATUS_ORIGIN)), made,
        Double.parseDouble(m.headers().get(Headers.RUN_FN_EXEC_MS)),
        Double.parseDouble(m.headers().get(Headers.QUEUE_MS)), m.headers().get(Headers.CONTENT_TYPE), headers,
        m.body());
    String streamed = m.headers().get(Headers.STREAMED);
    if (streamed == null) {
      return a;
    }
    java.util.List<Buffer> chunks = new java.util.ArrayList<>();
    Buffer b = m.body();
    for (int at = 0; at < b.length(); ) {
      int n = b.getInt(at);
      if (n < 0 || n > b.length() - at - 4) {
        throw new IllegalArgumentException("a chunk of " + n + " bytes runs past the reply");
      }
      chunks.add(b.slice(at + 4, at + 4 + n));
      at += 4 + n;
    }
    if (chunks.isEmpty()) {
      throw new IllegalArgumentException("a streamed reply without its first chunk");
    }
    return a.withRest(Streams.replay(chunks.subList(1, chunks.size()), streamed.isEmpty() ? null : streamed),
        chunks.get(0));
  }
}
