package io.sluice.scorer;

import java.util.Map;

/** The body travels as bytes; the runtime decides how to present it (Python: UTF-8 text). */
public record ScoreRequest(String requestId, byte[] body, Map<String, String> headers) {
  public ScoreRequest {
    headers = headers == null ? Map.of() : Map.copyOf(headers);
  }
}
