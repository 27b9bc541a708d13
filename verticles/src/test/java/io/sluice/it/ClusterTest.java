package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.loadtest.LoadGenerator;
import io.sluice.node.ClusterSetup;
import io.sluice.protocol.Addresses;
import io.sluice.protocol.Ops;
import io.vertx.core.json.JsonObject;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three node processes on loopback sharing one SLUICE_HOME: instances spread, scale down cleanly, are re-placed
 * after a kill -9, and move away from a node stopped with SIGTERM while a load runs, without a failed request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTest {
  @TempDir
  static Path tmp;
  final String cluster = "cluster-" + UUID.randomUUID();
  final List<NodeProcess> nodes = new ArrayList<>();
  Cli cli;
  String key;
  Path body;

  @BeforeAll
  void start() throws Exception {
    Path home = tmp.resolve("home");
    for (int i = 0; i < 3; i++) {
      nodes.add(new NodeProcess(home, cluster).start());
    }
    cli = new Cli(home, nodes.get(0).url()); // the first node stays up throughout
    cli.ok("online-endpoint", "create", "-n", "spread-ep");
    cli.ok("online-deployment", "create", "-f", Samples.repo().resolve("examples/java-echo/echo-deployment.yml")
        .toString(), "-e", "spread-ep", "-n", "echo", "--all-traffic");
    key = cli.ok("online-endpoint", "get-credentials", "-n", "spread-ep", "-o", "tsv", "--query", "primaryKey");
    body = Files.writeString(tmp.resolve("body.json"), "{\"data\": [[1, 2, 3]]}");
  }

  @AfterAll
  void stop() throws Exception {
    for (NodeProcess n : nodes) {
      n.stop();
    }
  }

  private JsonNode instances() {
    return cli.okJson("online-deployment", "show", "-n", "echo", "-e", "spread-ep", "--query", "instances");
  }

  private JsonNode waitInstances(Predicate<JsonNode> ok, long timeoutMs) {
    return Await.until(this::instances, ok, Duration.ofMillis(timeoutMs), "the instances of echo");
  }

  private static Map<String, Integer> readyPerNode(JsonNode instances) {
    Map<String, Integer> m = new HashMap<>();
    instances.forEach(i -> {
      if ("Ready".equals(i.path("state").asText())) {
        m.merge(i.path("node").asText(), 1, Integer::sum);
      }
    });
    return m;
  }

  private CompletableFuture<LoadGenerator.Report> load(NodeProcess target, long durationMs) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return LoadGenerator.run(new LoadGenerator.Settings(URI.create(target.url() + "/endpoints/spread-ep/score"),
            Map.of("Authorization", "Bearer " + key), Buffer.buffer(Files.readAllBytes(body)), 4, 1_000_000,
            durationMs));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  /** Every request answered 200; otherwise the routers' own words on the failures (their WARN lines) are shown. */
  private void allAnswered(LoadGenerator.Report r) throws IOException {
    StringBuilder why = new StringBuilder(r.summary());
    for (NodeProcess n : nodes) {
      why.append(n.warnings(20));
    }
    assertThat(r.errors()).as(why.toString()).isZero();
    assertThat(r.byStatus().keySet()).as(why.toString()).containsOnly(200);
    assertThat(r.requests()).isPositive();
  }

  @Test
  @Order(0)
  void uploadsReachNodesThatNeverSawThem() throws Exception {
    Path dir = Samples.examples(tmp.resolve("own"));
    String sample = dir.resolve("endpoints/online/managed/sample").toString();
    JsonNode blue = cli.okJson("online-deployment", "create", "-n", "blue", "-e", "spread-ep", "-f",
        sample + "/blue-deployment.yml", "--set", "instance_count=3");
    // the CLI uploaded through the first node; all three nodes unpacked the model and code from the store
    assertThat(readyPerNode(blue.path("instances"))).hasSize(3).allSatisfy((n, c) -> assertThat(c).isEqualTo(1));
    for (int i = 0; i < 3; i++) {
      JsonNode answer = Cli.JSON.readTree(cli.ok("online-endpoint", "invoke", "-n", "spread-ep", "--deployment-name",
          "blue", "-r", dir.resolve("endpoints/online/model-1/sample-request.json").toString()));
      assertThat(answer.get(0).asDouble()).isBetween(38506.99, 38507.01);
    }
    cli.ok("online-deployment", "delete", "-n", "blue", "-e", "spread-ep", "--yes");
  }

  @Test
  @Order(1)
  void scaleOutSpreadsTwoPerNode() throws Exception {
    cli.ok("online-deployment", "update", "-n", "echo", "-e", "spread-ep", "--set", "instance_count=6");
    JsonNode inst = instances();
    assertThat(inst.size()).isEqualTo(6);
    assertThat(readyPerNode(inst)).hasSize(3).allSatisfy((node, n) -> assertThat(n).isEqualTo(2));
  }

  @Test
  @Order(1)
  void theLoadPictureSumsEveryRouterAndOnlyTheAdminReadsIt() throws Exception {
    String token = Files.readString(tmp.resolve("home/admin-token")).trim();
    Scoring third = new Scoring(nodes.get(2));
    String path = "/api/endpoints/spread-ep/deployments/echo/load?seconds=120";
    long before = Cli.JSON.readTree(third.admin(path, token).body()).path("window").path("ok").asLong();
    for (int i = 0; i < 30; i++) {
      assertThat(new Scoring(nodes.get(0)).withKey("spread-ep", key, "{}").statusCode()).isEqualTo(200);
    }
    for (int i = 0; i < 20; i++) {
      assertThat(new Scoring(nodes.get(1)).withKey("spread-ep", key, "{}").statusCode()).isEqualTo(200);
      assertThat(new Scoring(nodes.get(1)).withKey("spread-ep", "wrong", "{}").statusCode()).isEqualTo(401);
    }
    // routers report once a second; the third node, which routed none of these, sees them all
    JsonNode load = Await.until(() -> Cli.JSON.readTree(third.admin(path, token).body()),
        l -> l.path("window").path("ok").asLong() >= before + 50, Duration.ofSeconds(10), "50 more answers of echo");
    assertThat(load.path("window").path("ok").asLong()).isEqualTo(before + 50);
    assertThat(load.path("window").path("server_errors").asLong()).isZero();
    assertThat(load.path("window").path("client_errors").asLong()).as("a 401 never reaches a deployment").isZero();
    assertThat(load.path("window").path("p99_ms").asDouble()).isPositive();
    assertThat(load.path("series").size()).isPositive();

    assertThat(third.admin(path, null).statusCode()).isEqualTo(401);
    assertThat(third.admin(path, "not-the-token").statusCode()).isEqualTo(401);
    assertThat(third.admin("/api/endpoints/spread-ep/deployments/nobody/load", token).statusCode()).isEqualTo(404);
    HttpResponse<String> bad = third.admin("/api/endpoints/spread-ep/deployments/echo/load?seconds=0", token);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("seconds: a whole number from 1 to 3600");
  }

  /**
   * Admission counted for the cluster: three routers under load on one deployment (2 instances x 4 at a time: a
   * limit of 16 in flight) admit together about that limit, not three times it.
   */
  @Test
  @Order(1)
  void threeRoutersTogetherAdmitAboutTheDeploymentsLimit() throws Exception {
    Path code = Files.createDirectories(tmp.resolve("slow/code"));
    Files.writeString(code.resolve("score.py"), "import time\ndef init():\n  pass\ndef run(d):\n  time.sleep(0.2)\n"
        + "  return d\n");
    Path yml = Files.writeString(tmp.resolve("slow/d.yml"), """
        name: slow
        endpoint_name: spread-ep
        code_configuration: {code: code, scoring_script: score.py}
        environment: {image: any}
        instance_type: Standard_DS3_v2
        instance_count: 2
        request_settings: {max_concurrent_requests_per_instance: 4}
        """);
    cli.ok("online-deployment", "create", "-f", yml.toString());
    List<CompletableFuture<LoadGenerator.Report>> loads = new ArrayList<>();
    for (NodeProcess n : nodes) {
      loads.add(CompletableFuture.supplyAsync(() -> {
        try {
          return LoadGenerator.run(new LoadGenerator.Settings(URI.create(n.url() + "/endpoints/spread-ep/score"),
              Map.of("Authorization", "Bearer " + key, "azureml-model-deployment", "slow"), Buffer.buffer("{}"), 8,
              1_000_000, 14_000));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    // once the load picture holds 5 seconds of it (the shares come from the last 3), sum what the three hold at once
    String token = Files.readString(tmp.resolve("home/admin-token")).trim();
    Await.until(() -> Cli.JSON.readTree(new Scoring(nodes.get(0)).admin(
        "/api/endpoints/spread-ep/deployments/slow/load?seconds=30", token).body()).path("series").size() >= 5,
        Duration.ofSeconds(30), "5 seconds of load on slow");
    int most = 0;
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
    while (System.nanoTime() < until) {
      int sum = 0;
      for (NodeProcess n : nodes) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("sluice_requests_in_flight\\{deployment=\"slow\","
            + "endpoint=\"spread-ep\"\\} ([0-9.]+)").matcher(new Scoring(n).get("/metrics").body());
        sum += m.find() ? (int) Double.parseDouble(m.group(1)) : 0;
      }
      most = Math.max(most, sum);
    }
    List<LoadGenerator.Report> reports = new ArrayList<>();
    for (CompletableFuture<LoadGenerator.Report> l : loads) {
      reports.add(l.get(60, TimeUnit.SECONDS));
    }
    // each router reads its share from the load picture at its own second, so for a moment after the shares move
    // they can add up to more than the whole: the most seen at once stays near 16, far from the 48 of three full
    // limits (a CI run saw 21 once over ~1,000 samples)
    assertThat(most).as("in flight at the three routers together (limit 16): %s", reports.stream()
        .map(LoadGenerator.Report::summary).toList()).isPositive().isLessThanOrEqualTo(24);
    reports.forEach(r -> assertThat(r.byStatus().keySet()).as(r.summary()).isSubsetOf(200, 429));
    cli.ok("online-deployment", "delete", "-n", "slow", "-e", "spread-ep", "--yes");
  }

  @Test
  @Order(2)
  void scaleDownUnderLoadFailsNoRequest() throws Exception {
    CompletableFuture<LoadGenerator.Report> running = load(nodes.get(0), 4000);
    new Scoring(nodes.get(0)).awaitMoreAnswers("spread-ep", 200, "before the scale-down");
    cli.ok("online-deployment", "update", "-n", "echo", "-e", "spread-ep", "--set", "instance_count=2");
    LoadGenerator.Report r = running.get(60, TimeUnit.SECONDS);
    allAnswered(r);
    JsonNode inst = waitInstances(i -> i.size() == 2, 10_000);
    assertThat(readyPerNode(inst).values()).containsOnly(1); // two nodes, one each
  }

  /**
   * An application that joins the cluster as the old event-bus example did (a member, not a node) gets no key and
   * no control op through; even posing as a router it is sent only key hashes. With the admin token it may ask.
   */
  @Test
  @Order(3)
  void aMemberThatIsNotANodeGetsNoSecretAndNoControlOp() throws Exception {
    Vertx app = Vertx.builder().with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1")))
        .withClusterManager(new HazelcastClusterManager(ClusterSetup.hazelcast(null, cluster, List.of())))
        .buildClustered().await(60, TimeUnit.SECONDS);
    String routerId = null;
    try {
      assertRefused(app, Addresses.ENDPOINTS_INTERNAL, new JsonObject().put(Ops.OP, Ops.SNAPSHOT));
      assertRefused(app, Addresses.ENDPOINTS, new JsonObject().put(Ops.OP, Ops.ENDPOINT_KEYS).put("name", "spread-ep"));
      assertRefused(app, Addresses.ENDPOINTS, new JsonObject().put(Ops.OP, Ops.ENDPOINT_DELETE).put("name", "spread-ep"));
      String node0 = cli.okJson("online-deployment", "show", "-n", "echo", "-e", "spread-ep", "--query",
          "instances[0].node_id").asText();
      assertRefused(app, Addresses.router(node0), new JsonObject().put("type", "desired").put("endpoint", "spread-ep")
          .putNull("document"));
      // nothing changed: the endpoint is there, its key still scores
      assertThat(cli.okJson("online-endpoint", "show", "-n", "spread-ep").path("name").asText()).isEqualTo("spread-ep");
      assertThat(new Scoring(nodes.get(0)).withKey("spread-ep", key, "{}").statusCode()).isEqualTo(200);

      // posing as a router (it can write the node list, but not a node's proof): it is sent nothing at all
      routerId = ((io.vertx.core.internal.VertxInternal) app).clusterManager().getNodeId();
      List<JsonObject> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
      app.eventBus().<JsonObject>consumer(Addresses.router(routerId), m -> {
        sent.add(m.body());
        m.reply(new JsonObject());
      }).completion().await(20, TimeUnit.SECONDS);
      app.sharedData().<String, JsonObject>getClusterWideMap(Addresses.NODES_MAP).await(20, TimeUnit.SECONDS)
          .put(routerId, new io.sluice.protocol.NodeFacts(routerId, "impostor", "http://127.0.0.1:1",
              List.of("router"), List.of(), 0, false).toJson()).await(20, TimeUnit.SECONDS);
      cli.ok("online-endpoint", "regenerate-keys", "-n", "spread-ep", "--key-type", "secondary");
      JsonNode keys = cli.okJson("online-endpoint", "get-credentials", "-n", "spread-ep");
      // the command returned after every router acknowledged; the impostor was never among them
      cli.ok("online-endpoint", "update", "-n", "spread-ep", "--traffic", "echo=100");
      assertThat(sent).isEmpty();

      // a holder of the admin token proves it the way nodes do, and may ask for what routers get
      io.sluice.auth.ControlGuard.install(app, Files.readString(tmp.resolve("home").resolve("admin-token")).trim());
      JsonObject snapshot = app.eventBus().<JsonObject>request(Addresses.ENDPOINTS_INTERNAL,
          new JsonObject().put(Ops.OP, Ops.SNAPSHOT)).await(20, TimeUnit.SECONDS).body();
      assertThat(snapshot.encode()).contains("spread-ep").contains("PUBLIC KEY").doesNotContain("PRIVATE KEY")
          .doesNotContain(keys.path("primaryKey").asText()).doesNotContain(keys.path("secondaryKey").asText());
    } finally {
      if (routerId != null) {
        app.sharedData().<String, JsonObject>getClusterWideMap(Addresses.NODES_MAP).await(20, TimeUnit.SECONDS)
            .remove(routerId).await(20, TimeUnit.SECONDS);
      }
      app.close().await(30, TimeUnit.SECONDS);
    }
    assertThat(nodes.stream().map(n -> {
      try {
        return n.log();
      } catch (java.io.IOException e) {
        return "";
      }
    })).anyMatch(log -> log.contains("ignored an unproved message"));
  }

  private static void assertRefused(Vertx app, String address, JsonObject op) {
    try {
      app.eventBus().request(address, op).await(20, TimeUnit.SECONDS);
      throw new AssertionError(address + " answered a member without proof: " + op);
    } catch (ReplyException e) {
      assertThat(e.failureCode()).as(e.getMessage()).isEqualTo(403);
      assertThat(e.getMessage()).contains("need a node's or the admin's proof");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  @Order(4)
  void killMinus9IsReplacedOnTheSurvivors() throws Exception {
    cli.ok("online-deployment", "update", "-n", "echo", "-e", "spread-ep", "--set", "instance_count=3");
    NodeProcess victim = nodes.get(2);
    String victimName = "node-" + victim.port;
    assertThat(readyPerNode(instances())).containsEntry(victimName, 1);
    long t0 = System.nanoTime();
    victim.kill();
    JsonNode after = waitInstances(i -> readyPerNode(i).values().stream().mapToInt(Integer::intValue).sum() == 3
        && !readyPerNode(i).containsKey(victimName) && i.size() == 3, 30_000);
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf("kill -9 -> 3 Ready instances on the survivors in %.2f s%n", seconds);
    assertThat(readyPerNode(after).keySet()).doesNotContain(victimName);
    // the survivors still serve
    assertThat(cli.ok("online-endpoint", "invoke", "-n", "spread-ep", "-r", body.toString()))
        .isEqualTo(Files.readString(body));
    nodes.remove(victim);
  }

  @Test
  @Order(5)
  void sigtermMovesInstancesFirstSoNoRequestFails() throws Exception {
    nodes.add(new NodeProcess(tmp.resolve("home"), cluster).start()); // a fresh third node joins
    cli.ok("online-deployment", "update", "-n", "echo", "-e", "spread-ep", "--set", "instance_count=1");
    NodeProcess target = nodes.get(0);
    JsonNode one = waitInstances(i -> i.size() == 1 && readyPerNode(i).size() == 1, 10_000);
    String host = one.get(0).path("node").asText();
    NodeProcess leaving = nodes.stream().filter(n -> host.equals("node-" + n.port)).findFirst().orElseThrow();
    if (leaving == target) {
      target = nodes.get(1);
    }
    cli = new Cli(tmp.resolve("home"), target.url()); // never ask the node that leaves
    CompletableFuture<LoadGenerator.Report> running = load(target, 5000);
    new Scoring(target).awaitMoreAnswers("spread-ep", 200, "before the SIGTERM");
    leaving.stop(); // SIGTERM: the only instance moves before this node leaves
    LoadGenerator.Report r = running.get(60, TimeUnit.SECONDS);
    allAnswered(r);
    assertThat(leaving.log()).contains("left the cluster");
    JsonNode moved = waitInstances(i -> i.size() == 1 && readyPerNode(i).size() == 1, 10_000);
    assertThat(moved.get(0).path("node").asText()).isNotEqualTo(host);
    nodes.remove(leaving);
  }
}
