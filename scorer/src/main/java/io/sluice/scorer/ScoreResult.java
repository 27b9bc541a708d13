package io.sluice.scorer;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * An answer. {@code fromRuntime} false: the scoring script's own answer (200, or its error status: 500 when run()
 * raised, 400 when the body was not UTF-8), which the router maps to Azure's 424 when not 200. {@code fromRuntime}
 * true: Sluice's runtime answered instead (408 run timeout, 429 queue wait, 500 the worker died), passed on as is.
 * {@code made} true: the script made the whole answer itself (an AMLResponse: its status, {@code headers} and
 * bytes), which also reaches the client as it is. {@code rest} non-null: a streamed answer (run() returned a
 * generator); {@code body} is its first chunk, {@code runMillis} the time to it, and the rest follows.
 */
public record ScoreResult(int status, byte[] body, String contentType, double runMillis, double queueMillis,
                          boolean fromRuntime, Map<String, String> headers, boolean made, ChunkStream rest) {

  public ScoreResult {
    headers = headers == null ? Map.of() : Map.copyOf(headers);
  }

  public ScoreResult(int status, byte[] body, String contentType, double runMillis, double queueMillis,
                     boolean fromRuntime, Map<String, String> headers, boolean made) {
    this(status, body, contentType, runMillis, queueMillis, fromRuntime, headers, made, null);
  }

  public ScoreResult(int status, byte[] body, String contentType, double runMillis, double queueMillis,
                     boolean fromRuntime) {
    this(status, body, contentType, runMillis, queueMillis, fromRuntime, Map.of(), false);
  }

  public ScoreResult(int status, byte[] body, String contentType, double runMillis) {
    this(status, body, contentType, runMillis, 0, false);
  }

  public static ScoreResult json(int status, String json, double runMillis) {
    return new ScoreResult(status, json.getBytes(StandardCharsets.UTF_8), "application/json", runMillis);
  }

  /** An answer of the runtime itself, with Azure's error body shape {"message": …}. */
  public static ScoreResult runtime(int status, String message, double queueMillis) {
    String json = "{\"message\": \"" + message.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
    return new ScoreResult(status, json.getBytes(StandardCharsets.UTF_8), "application/json", 0, queueMillis, true);
  }

  public boolean ok() {
    return status == 200;
  }

  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }
}
