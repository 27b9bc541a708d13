package io.sluice.scorer;

import java.util.Map;

/**
 * One request for a scorer. The body travels as bytes; the runtime decides how to present it (Python: UTF-8 text).
 *
 * @param runTimeoutMillis   the request's budget once a worker runs it (0: none); past it the runtime answers 408
 *                           and replaces the worker, so an instance is never left wedged
 * @param queueTimeoutMillis how long it may wait for a free worker (0: no limit); past it the runtime answers 429
 * @param headers            the client's headers a script may read; read-only, never changed after the call
 * @param method             the HTTP method (POST unless a GET or OPTIONS reached the scoring URI)
 * @param query              the raw query string ("" when none)
 */
public record ScoreRequest(String requestId, byte[] body, Map<String, String> headers, long runTimeoutMillis,
                           long queueTimeoutMillis, String method, String query) {
  public ScoreRequest {
    headers = headers == null ? Map.of() : headers; // read-only by contract: a view of the request's, not copied
    method = method == null ? "POST" : method;
    query = query == null ? "" : query;
  }

  public ScoreRequest(String requestId, byte[] body, Map<String, String> headers, long runTimeoutMillis,
                      long queueTimeoutMillis) {
    this(requestId, body, headers, runTimeoutMillis, queueTimeoutMillis, "POST", "");
  }

  public ScoreRequest(String requestId, byte[] body, Map<String, String> headers) {
    this(requestId, body, headers, 0, 0);
  }
}
