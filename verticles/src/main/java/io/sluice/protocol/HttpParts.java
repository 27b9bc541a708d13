package io.sluice.protocol;

import java.util.Map;

/**
 * What of a client's HTTP request reaches a scorer instance beside the body: the method, the path under the
 * endpoint ({@code /score}, or {@code /swagger.json} for the deployment's API document), the query string and the
 * headers a script may read (never Authorization). Travels as event-bus headers ({@link Headers#METHOD}, ...) or,
 * to an instance in the same JVM, as this record.
 */
public record HttpParts(String method, String path, String query, Map<String, String> headers) {
  public static final String SCORE = "/score";
  public static final String SWAGGER = "/swagger.json";
  /** A plain POST to /score without headers to pass: what the event-bus door sends. */
  public static final HttpParts POST = new HttpParts("POST", SCORE, "", Map.of());

  public HttpParts {
    method = method == null ? "POST" : method;
    path = path == null ? SCORE : path;
    query = query == null ? "" : query;
    headers = headers == null ? Map.of() : headers;
  }

  /** A POST to /score without a query: nothing to say on the event bus beyond the headers. */
  public boolean plainPost() {
    return "POST".equals(method) && SCORE.equals(path) && query.isEmpty();
  }

  public boolean swagger() {
    return SWAGGER.equals(path);
  }
}
