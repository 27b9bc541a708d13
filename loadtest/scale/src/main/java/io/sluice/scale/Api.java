package io.sluice.scale;

import io.sluice.cli.SluiceCli;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** The harness's control calls: the real CLI (in-process) for what users type, plain REST for what is timed. */
final class Api {
  private final Map<String, String> env;
  private final String url;
  private final String token;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  Api(Path home, String url) throws Exception {
    this.env = Map.of("SLUICE_HOME", home.toString(), "SLUICE_URL", url);
    this.url = url;
    this.token = Files.readString(home.resolve("admin-token")).trim();
  }

  /** Runs {@code sluice args...}; fails with its error text unless it exits 0. */
  String cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = SluiceCli.run(args, env, new PrintWriter(out), new PrintWriter(err));
    if (code != 0) {
      throw new IllegalStateException("sluice " + String.join(" ", args) + ": " + err.toString().trim());
    }
    return out.toString().trim();
  }

  /**
   * {@link #cli} for a create, asked again while a saturated cluster answers 503 (a create refused that way changed
   * nothing; one that was made before its answer was lost is then "already exists", which is what was asked).
   */
  String create(String... args) throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        return cli(args);
      } catch (IllegalStateException e) {
        boolean busy = e.getMessage().contains("(ServiceUnavailable)");
        if (attempt > 1 && e.getMessage().contains("already exists")) {
          return "";
        }
        if (!busy || attempt == 10) {
          throw e;
        }
        Thread.sleep(2000L * attempt); // a back-off before asking a saturated cluster again, not a wait for a state
      }
    }
  }

  /** PATCH an endpoint's traffic; returns when the node answered 200 (every router acknowledged or timed out). */
  void traffic(String endpoint, Map<String, Integer> split) throws Exception {
    JsonObject body = new JsonObject().put("name", endpoint).put("traffic", new JsonObject(Map.copyOf(split)));
    send("PATCH", "/api/endpoints/" + endpoint, body.encode());
  }

  /** Every instance of the cluster as the node maps hold them ({@code GET /api/cluster}, admin token). */
  JsonArray instances() throws Exception {
    JsonArray all = new JsonArray();
    for (Object n : new JsonObject(send("GET", "/api/cluster", null)).getJsonArray("nodes")) {
      all.addAll(((JsonObject) n).getJsonArray("instances", new JsonArray()));
    }
    return all;
  }

  private String send(String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(method + " " + path + ": " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }
}
