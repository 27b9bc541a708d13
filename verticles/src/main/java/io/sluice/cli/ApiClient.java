package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The CLI's client of the REST control plane. Finds the node and the admin token from --url / SLUICE_URL /
 * SLUICE_ADMIN_TOKEN, else from what the local node wrote into SLUICE_HOME (node.json, admin-token).
 */
public final class ApiClient {
  /** A name as one URL path segment or query value: any characters reach the node, which names the rule they break. */
  static String segment(String name) {
    return java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
  }

  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final String url;
  private final String token;

  ApiClient(String url, String token) {
    this(url, token, null);
  }

  /** {@code caFile}: a PEM certificate to trust for a node that serves HTTPS with a private CA (SLUICE_CA_FILE). */
  ApiClient(String url, String token, String caFile) {
    this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.token = token;
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    if (caFile != null && !caFile.isEmpty()) {
      b.sslContext(trusting(caFile));
    }
    this.http = b.build();
  }

  /** An SSL context that trusts the certificates in a PEM file (a private CA, or a self-signed node). */
  public static javax.net.ssl.SSLContext trusting(String caFile) {
    try (var in = Files.newInputStream(Path.of(caFile))) {
      java.security.KeyStore ks = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
      ks.load(null, null);
      int i = 0;
      for (var cert : java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        ks.setCertificateEntry("ca" + i++, cert);
      }
      javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
          javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (Exception e) {
      throw new CliException("SLUICE_CA_FILE: cannot use " + caFile + " as a trusted certificate: " + e.getMessage());
    }
  }

  static ApiClient from(Map<String, String> env, String urlFlag) {
    Path home = Path.of(env.getOrDefault("SLUICE_HOME", System.getProperty("user.home") + "/.sluice"));
    String url = urlFlag != null ? urlFlag : env.get("SLUICE_URL");
    String token = env.get("SLUICE_ADMIN_TOKEN");
    try {
      if (url == null && Files.exists(home.resolve("node.json"))) {
        url = JSON.readTree(home.resolve("node.json").toFile()).path("url").asText(null);
      }
      if (token == null && Files.exists(home.resolve("admin-token"))) {
        token = Files.readString(home.resolve("admin-token")).trim();
      }
    } catch (IOException e) {
      throw new CliException("cannot read " + home + ": " + e.getMessage());
    }
    if (url == null) {
      throw new CliException("no Sluice node found: start one with 'bin/sluice node', or set SLUICE_URL (and "
          + "SLUICE_ADMIN_TOKEN) or --url");
    }
    return new ApiClient(url, token == null ? "" : token, env.get("SLUICE_CA_FILE"));
  }

  String baseUrl() {
    return url;
  }

  JsonNode get(String path) {
    return send("GET", path, null, null);
  }

  JsonNode post(String path, JsonNode body) {
    return send("POST", path, body, null);
  }

  JsonNode put(String path, JsonNode body) {
    return send("PUT", path, body, null);
  }

  JsonNode patch(String path, JsonNode body) {
    return send("PATCH", path, body, null);
  }

  /** A change based on what was read at {@code revision}: refused (412) if someone changed it since. */
  JsonNode patch(String path, JsonNode body, JsonNode revision) {
    return send("PATCH", path, body, null, revision);
  }

  JsonNode put(String path, JsonNode body, JsonNode revision) {
    return send("PUT", path, body, null, revision);
  }

  JsonNode delete(String path) {
    return send("DELETE", path, null, null);
  }

  JsonNode upload(byte[] zip) {
    return send("POST", "/api/files", null, zip);
  }

  /** A plain HTTP POST to a scoring URI; returns status and body, never throws for an HTTP status. */
  HttpResponse<byte[]> score(String uri, String key, String deployment, byte[] body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofMinutes(4))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (deployment != null) {
      b.header("azureml-model-deployment", deployment);
    }
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new CliException("cannot reach " + uri + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
  }

  /** How often a request is sent when its answer is lost (a dropped connection, a 5xx); a change keeps its id. */
  private static final int ATTEMPTS = 3;

  private HttpResponse<String> exchange(HttpRequest req, int attempts) {
    for (int attempt = 1; ; attempt++) {
      try {
        HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (attempt >= attempts || !List.of(500, 502, 503, 504).contains(resp.statusCode())) {
          return resp;
        }
      } catch (ConnectException e) {
        throw new CliException("cannot reach the Sluice node at " + url + " (is 'bin/sluice node' running?)");
      } catch (IOException e) {
        if (attempt >= attempts) {
          throw new CliException("request to " + req.uri() + " failed: " + e);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException("interrupted");
      }
      try {
        Thread.sleep(1000L * attempt);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException("interrupted");
      }
    }
  }

  /** One line for an answer that is not the API's JSON (an HTML page, a proxy's error): which URL, and what to do. */
  private String notJson(HttpResponse<String> resp, String path) {
    String type = resp.headers().firstValue("content-type").orElse("no content type");
    if (resp.statusCode() == 404 && path.startsWith("/api/")) {
      return "the node at " + url + " does not serve the control plane (" + path + " answered 404 with " + type
          + ", not JSON): set SLUICE_URL or --url to a node with the control-plane role (sluice node list shows "
          + "each node's roles)";
    }
    return "the node at " + url + " answered " + path + " with HTTP " + resp.statusCode() + " and " + type + " ("
        + resp.body().length() + " characters), not Sluice's JSON: is " + url + " a Sluice node?";
  }

  private JsonNode send(String method, String path, JsonNode json, byte[] raw) {
    return send(method, path, json, raw, null);
  }

  private JsonNode send(String method, String path, JsonNode json, byte[] raw, JsonNode revision) {
    HttpRequest.BodyPublisher pub = raw != null ? HttpRequest.BodyPublishers.ofByteArray(raw)
        : json != null ? HttpRequest.BodyPublishers.ofString(json.toString()) : HttpRequest.BodyPublishers.noBody();
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofMinutes(5))
        .header("Authorization", "Bearer " + token)
        .header("Content-Type", raw != null ? "application/zip" : "application/json")
        .method(method, pub);
    if (revision != null && revision.isInt()) {
      builder.header("If-Match", revision.asText());
    }
    boolean change = !"GET".equals(method);
    if (change) {
      // one id for the command and its retries: a change whose answer was lost is answered again, not re-applied
      builder.header("x-ms-client-request-id", java.util.UUID.randomUUID().toString());
    }
    // reads are safe to repeat; a change is repeated under its one client request id
    HttpResponse<String> resp = exchange(builder.build(), ATTEMPTS);
    JsonNode body;
    try {
      body = resp.body() == null || resp.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(resp.body());
    } catch (IOException e) {
      throw new CliException(resp.statusCode(), notJson(resp, path));
    }
    if (resp.statusCode() >= 400) {
      String msg = body.path("error").path("message").asText(resp.body());
      throw new CliException(resp.statusCode(), "(" + body.path("error").path("code").asText(
          String.valueOf(resp.statusCode())) + ") " + msg);
    }
    return body;
  }
}
