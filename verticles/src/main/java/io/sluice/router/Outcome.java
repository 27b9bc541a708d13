package io.sluice.router;

import io.sluice.protocol.Streams;
import io.sluice.scorer.ChunkStream;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The answer to one data-plane request, whichever door it came in by (HTTP or the event bus). {@code rest} non-null:
 * a streamed answer, {@code body} its first chunk ({@link io.sluice.protocol.Streams}).
 */
public record Outcome(int status, Map<String, String> headers, Buffer body, ChunkStream rest) {

  public Outcome(int status, Map<String, String> headers, Buffer body) {
    this(status, headers, body, null);
  }

  public static Outcome error(int status, String message) {
    return new Outcome(status, new LinkedHashMap<>(Map.of("content-type", "application/json")),
        Buffer.buffer(new JsonObject().put("message", message).encode()));
  }

  public Outcome with(String header, String value) {
    if (value != null) {
      headers.put(header, value);
    }
    return this;
  }

  /**
   * This answer whole, to {@code to}: as it is, or a stream gathered (a 500 when it broke, or grew past what a door
   * that answers whole carries).
   */
  public void whole(java.util.function.Consumer<Outcome> to) {
    if (rest == null) {
      to.accept(this);
      return;
    }
    Streams.gather(body, rest, Streams.WHOLE_BYTES).whenComplete((b, err) -> to.accept(
        err != null ? error(500, "the streamed answer broke: " + Streams.message(err))
            : b == null ? error(500, "the streamed answer is over " + Streams.WHOLE_BYTES + " bytes, more than this "
            + "door carries whole; ask for it over HTTP") : withRest(null, b)));
  }

  /** The same answer with its rest watched (or gathered: null). */
  public Outcome withRest(ChunkStream rest, Buffer body) {
    return new Outcome(status, headers, body, rest);
  }
}
