package io.sluice.loadtest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Timed control-plane steps for loadtest/bench.sh, over the REST API (poll every 20 ms):
 * <pre>
 *   scale URL HOME ENDPOINT DEPLOYMENT COUNT       set instance_count, print seconds until COUNT instances are Ready
 *   wait-ready URL HOME ENDPOINT DEPLOYMENT COUNT EXCLUDED_NODE START_EPOCH_MS
 *                                                  print seconds from START until COUNT Ready, none on EXCLUDED_NODE
 * </pre>
 */
public final class BenchSteps {
  private BenchSteps() {
  }

  public static void main(String[] a) throws Exception {
    String url = a[1];
    String token = Files.readString(Path.of(a[2], "admin-token")).trim();
    String path = url + "/api/endpoints/" + a[3] + "/deployments/" + a[4];
    int count = Integer.parseInt(a[5]);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long start;
    String excluded = null;
    if ("scale".equals(a[0])) {
      JsonObject spec = get(http, path, token);
      for (String f : new String[] {"provisioning_state", "spec_version", "type", "instances", "status_reason",
          "created_at", "revision"}) {
        spec.remove(f);
      }
      spec.put("instance_count", count);
      start = System.currentTimeMillis();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(path)).header("Authorization",
          "Bearer " + token).header("Content-Type", "application/json")
          .PUT(HttpRequest.BodyPublishers.ofString(spec.encode())).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() >= 300) {
        throw new IllegalStateException(r.body());
      }
    } else {
      excluded = a[6];
      start = Long.parseLong(a[7]);
    }
    long deadline = System.currentTimeMillis() + 120_000;
    while (System.currentTimeMillis() < deadline) {
      JsonObject d;
      try {
        d = get(http, path, token);
      } catch (Exception e) {
        Thread.sleep(20);
        continue;
      }
      JsonArray inst = d.getJsonArray("instances", new JsonArray());
      long ready = 0;
      boolean onExcluded = false;
      for (Object o : inst) {
        JsonObject i = (JsonObject) o;
        ready += "Ready".equals(i.getString("state")) ? 1 : 0;
        onExcluded |= excluded != null && excluded.equals(i.getString("node"));
      }
      if (ready == count && inst.size() == count && !onExcluded) {
        System.out.printf("%.3f%n", (System.currentTimeMillis() - start) / 1000.0);
        return;
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("not ready within 120 s");
  }

  private static JsonObject get(HttpClient http, String path, String token) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(path)).timeout(Duration.ofSeconds(5))
        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(r.body());
    }
    return new JsonObject(r.body());
  }
}
