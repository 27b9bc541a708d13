package io.sluice.router;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/** The answer to one data-plane request, whichever door it came in by (HTTP or the event bus). */
public record Outcome(int status, Map<String, String> headers, Buffer body) {

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
}
