package io.sluice.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The tests' data-plane client: POST /endpoints/{e}/score on one node, as a user's application would. */
public final class Scoring {
  /**
   * HTTP/1.1: the JDK client otherwise opens each connection with an h2c upgrade, and one GET /metrics answered
   * through that upgrade failed to parse (noted as an open question in the session note).
   */
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final String baseUrl;

  public Scoring(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  public Scoring(NodeProcess node) {
    this(node.url());
  }

  /**
   * Scores {@code body} on {@code endpoint}. {@code authorization} is the whole header value (null: none),
   * {@code deployment} the pin header (null: none); {@code headers} are more name/value pairs.
   */
  public HttpResponse<String> score(String endpoint, String authorization, String deployment, String body,
                                    String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + "/endpoints/" + endpoint + "/score"))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    if (deployment != null) {
      b.header("azureml-model-deployment", deployment);
    }
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Scores with a key (sent as "Bearer key"). */
  public HttpResponse<String> withKey(String endpoint, String key, String body) throws Exception {
    return score(endpoint, "Bearer " + key, null, body);
  }

  /**
   * How many requests to {@code endpoint} this node's router has answered (any status, mirror copies not counted),
   * from /metrics: the tests' way to know that load is flowing.
   */
  public long answered(String endpoint) throws Exception {
    Matcher m = Pattern.compile("^sluice_requests_total\\{([^}]*)\\} ([0-9.E]+)$", Pattern.MULTILINE)
        .matcher(get("/metrics").body());
    long total = 0;
    while (m.find()) {
      if (m.group(1).contains("endpoint=\"" + endpoint + "\"") && m.group(1).contains("mirror=\"false\"")) {
        total += (long) Double.parseDouble(m.group(2));
      }
    }
    return total;
  }

  /** Waits until this node has answered {@code more} requests to {@code endpoint} beyond what it had now. */
  public void awaitMoreAnswers(String endpoint, long more, String what) throws Exception {
    long target = answered(endpoint) + more;
    Await.until(() -> answered(endpoint) >= target, Duration.ofSeconds(30), more + " more answers " + what);
  }

  /** A GET with the admin token (an /api/ route). */
  public HttpResponse<String> admin(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A POST of {@code json} with the admin token (an /api/ route). */
  public HttpResponse<String> adminPost(String path, String token, String json) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A GET on the node, e.g. /metrics or /healthz. */
  public HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
