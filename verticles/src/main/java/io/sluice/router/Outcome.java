package io.sluice.router;

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

  /** The same answer with its rest watched (or gathered: null). */
  public Outcome withRest(ChunkStream rest, Buffer body) {
    return new Outcome(status, headers, body, rest);
  }
}
