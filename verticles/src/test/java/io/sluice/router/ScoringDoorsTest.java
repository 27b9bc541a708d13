package io.sluice.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.auth.Authenticator;
import io.sluice.auth.KeyHasher;
import io.sluice.load.LoadRecorder;
import io.sluice.protocol.DeploymentDoc;
import io.sluice.protocol.EndpointDoc;
import io.sluice.protocol.InstanceInfo;
import io.sluice.protocol.InstanceState;
import io.sluice.protocol.Snapshot;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The data plane's two doors, HTTP and the event bus, on one real router's handler: every refusal is the same status
 * at both and counted in the metrics alike (issue 22: the bus door skipped the 404 and 401 metrics, the request-id
 * length check and the body limit).
 */
class ScoringDoorsTest {
  static final KeyHasher HASHER = new KeyHasher("root");
  static Vertx vertx;
  static HttpServer server;
  static final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    EndpointDoc ep = EndpointDoc.fromJson(new JsonObject().put("name", "ep").put("auth_mode", "key")
        .put("key_hashes", new JsonArray().add(HASHER.hash("k1"))).put("traffic", new JsonObject().put("blue", 100)));
    DeploymentDoc blue = DeploymentDoc.fromJson(new JsonObject().put("name", "blue").put("endpoint_name", "ep")
        .put("instance_count", 1));
    RoutingTable table = RoutingTable.build(new Snapshot("s", List.of(ep), List.of(blue)), List.of(new InstanceInfo(
        "blue-1", "ep", "blue", 1, "n1", "node-1", InstanceState.Ready, null, null)), RoutingTable.EMPTY);
    RouterMetrics metrics = new RouterMetrics(registry);
    DispatcherTest.FakeTransport transport = new DispatcherTest.FakeTransport();
    ScoringHandler handler = new ScoringHandler(() -> table, new Authenticator(vertx, HASHER),
        new Dispatcher(metrics, new LoadRecorder("r"), transport), metrics, 1000);
    vertx.eventBus().<JsonObject>consumer("test.invoke", handler::eventBus);
    server = vertx.createHttpServer().requestHandler(req -> handler.http(req, ScoringHandler.scoringEndpoint(req)))
        .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** The status of one request through each door: {HTTP, event bus}. */
  static int[] both(String endpoint, String key, String requestId, String body) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + "/endpoints/"
        + endpoint + "/score")).POST(HttpRequest.BodyPublishers.ofString(body))
        .header("Authorization", "Bearer " + key);
    if (requestId != null) {
      r.header("x-request-id", requestId);
    }
    int overHttp = http.send(r.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    JsonObject q = new JsonObject().put("endpoint", endpoint).put("authorization", key).put("body", body);
    if (requestId != null) {
      q.put("request_id", requestId);
    }
    int overBus;
    try {
      vertx.eventBus().request("test.invoke", q).await(10, TimeUnit.SECONDS);
      overBus = 200;
    } catch (ReplyException e) {
      overBus = e.failureCode();
    }
    return new int[] {overHttp, overBus};
  }

  static double counted(String endpoint, String status) {
    var c = registry.find("sluice.requests").tags("endpoint", endpoint, "status", status).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void everyRefusalIsTheSameAtBothDoorsAndCountedAtBoth() throws Exception {
    assertThat(both("ep", "k1", null, "{}")).containsExactly(200, 200);
    assertThat(both("ep", "k1", "r".repeat(101), "{}")).as("a request id over 100 characters").containsExactly(431,
        431);
    assertThat(both("ep", "k1", null, "x".repeat(1001))).as("a body over limits.max_body_bytes").containsExactly(413,
        413);

    assertThat(both("nope", "k1", null, "{}")).containsExactly(404, 404);
    assertThat(counted(RouterMetrics.UNKNOWN_ENDPOINT, "404")).as("both unknown-endpoint requests counted")
        .isEqualTo(2);
    assertThat(both("ep", "wrong", null, "{}")).containsExactly(401, 401);
    assertThat(counted("ep", "401")).as("both wrong keys counted").isEqualTo(2);
  }
}
