package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import io.sluice.loadtest.BalancedLoad;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes taken out of service on purpose: three node processes on loopback (capacity 3 each, one shared
 * SLUICE_HOME). A drain moves a node's instances first and fails no request; one without room is refused and
 * changes nothing; a node more than one protocol version away does not join; and the cluster is upgraded node by
 * node to the next protocol version (drain with its router, stop, start the new version, undrain) under steady load
 * through a health-checking balancer, while a guarded rollout runs: no request fails.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RollingUpgradeTest {
  @TempDir
  static Path tmp;
  final String cluster = "upgrade-" + UUID.randomUUID();
  final List<NodeProcess> nodes = new ArrayList<>();
  Path home;
  String key;
  String token;

  @BeforeAll
  void start() throws Exception {
    home = tmp.resolve("home");
    for (int i = 0; i < 3; i++) {
      nodes.add(new NodeProcess(home, cluster).with("--capacity", "3").start());
    }
    Cli cli = cli(nodes.get(0));
    String echo = Samples.repo().resolve("examples/java-echo/echo-deployment.yml").toString();
    cli.ok("online-endpoint", "create", "-n", "up-ep");
    cli.ok("online-deployment", "create", "-f", echo, "-e", "up-ep", "-n", "blue", "--all-traffic",
        "--set", "instance_count=3");
    cli.ok("online-deployment", "create", "-f", echo, "-e", "up-ep", "-n", "green");
    key = cli.ok("online-endpoint", "get-credentials", "-n", "up-ep", "-o", "tsv", "--query", "primaryKey");
    token = Files.readString(home.resolve("admin-token")).trim();
  }

  /** kill -9: a graceful stop of the last nodes would wait for room that is not there (tested elsewhere). */
  @AfterAll
  void stop() throws Exception {
    for (NodeProcess n : nodes) {
      n.kill();
    }
  }

  private Cli cli(NodeProcess via) {
    return new Cli(home, via.url());
  }

  private static String name(NodeProcess n) {
    return "node-" + n.port;
  }

  private JsonNode row(NodeProcess via, String name) {
    for (JsonNode r : cli(via).okJson("node", "list")) {
      if (r.path("name").asText().equals(name)) {
        return r;
      }
    }
    return Cli.JSON.createObjectNode();
  }

  private BalancedLoad load() {
    return new BalancedLoad(nodes.stream().map(NodeProcess::url).toList(), "/endpoints/up-ep/score", Map.of("Authorization", "Bearer " + key,
        "Content-Type", "application/json"), "{\"data\": [[1, 2, 3]]}").start(2, 20);
  }

  private void noneFailed(BalancedLoad load) throws Exception {
    StringBuilder why = new StringBuilder(load.summary());
    for (NodeProcess n : nodes) {
      why.append(n.warnings(10));
    }
    assertThat(load.failed()).as(why.toString()).isZero();
    assertThat(load.answered()).as(why.toString()).isGreaterThan(100);
  }

  @Test
  @Order(1)
  void theNodeDoorsAreTheAdminsOnlyAndBadInputChangesNothing() throws Exception {
    Scoring api = new Scoring(nodes.get(0));
    assertThat(api.admin("/api/nodes", null).statusCode()).isEqualTo(401);
    assertThat(api.admin("/api/nodes", "wrong").statusCode()).isEqualTo(401);
    HttpResponse<String> forged = api.adminPost("/api/nodes/" + name(nodes.get(1)) + "/drain", "wrong", "{}");
    assertThat(forged.statusCode()).isEqualTo(401);
    HttpResponse<String> badFlag = api.adminPost("/api/nodes/" + name(nodes.get(1)) + "/drain", token,
        "{\"routers\": \"yes\"}");
    assertThat(badFlag.statusCode()).isEqualTo(400);
    assertThat(badFlag.body()).contains("routers: must be true or false");
    HttpResponse<String> badName = api.adminPost("/api/nodes/..%2Fx/drain", token, "{}");
    assertThat(badName.statusCode()).as(badName.body()).isEqualTo(400);
    assertThat(badName.body()).contains("name: a node name");
    assertThat(cli(nodes.get(0)).fails("node", "drain", "node-1")).contains("node 'node-1' is not a member");
    for (NodeProcess n : nodes) {
      assertThat(row(nodes.get(0), name(n)).path("state").asText()).isEqualTo("Ready");
    }
  }

  @Test
  @Order(2)
  void aDrainMovesInstancesFirstSoNoRequestFailsAndOneWithoutRoomIsRefused() throws Exception {
    NodeProcess b = nodes.get(1);
    Cli cli = cli(nodes.get(0));
    Await.until(() -> row(nodes.get(0), name(b)).path("instances").asInt() > 0, Duration.ofSeconds(20),
        "an instance on " + name(b));
    try (BalancedLoad load = load()) {
      Await.until(() -> load.answered() > 200, Duration.ofSeconds(30), "answers before the drain");
      JsonNode drained = cli.okJson("node", "drain", name(b));
      assertThat(drained.path("state").asText()).isEqualTo("Drained");
      assertThat(drained.path("instances").asInt()).isZero();
      long at = load.answered();
      Await.until(() -> load.answered() > at + 200, Duration.ofSeconds(30), "answers after the drain");
      load.close();
      noneFailed(load);
    }
    JsonNode blue = cli.okJson("online-deployment", "show", "-n", "blue", "-e", "up-ep", "--query", "instances");
    assertThat(blue.findValuesAsText("state")).containsOnly("Ready").hasSize(3);
    assertThat(blue.findValuesAsText("node")).doesNotContain(name(b));
    // its router was not drained: still in service
    assertThat(b.health()).contains("\"status\":\"UP\"").contains("\"drained\":true");

    // with b drained, 6 slots: blue 3 + green 1 + wide 2 fill them; a's instances then have nowhere to go
    cli.ok("online-deployment", "create", "-f", Samples.repo().resolve("examples/java-echo/echo-deployment.yml")
        .toString(), "-e", "up-ep", "-n", "wide", "--set", "instance_count=2");
    String refused = cli.fails("node", "drain", name(nodes.get(0)));
    assertThat(refused).contains("(Conflict)").contains("cannot be drained").contains("up-ep/")
        .contains("Nothing changed");
    assertThat(row(nodes.get(0), name(nodes.get(0))).path("state").asText()).isEqualTo("Ready");
    cli.ok("online-deployment", "delete", "-n", "wide", "-e", "up-ep", "--yes");
    assertThat(cli.okJson("node", "undrain", name(b)).path("state").asText()).isEqualTo("Ready");
  }

  @Test
  @Order(3)
  void aNodeTwoProtocolVersionsAwayDoesNotJoinAndIsNamed() throws Exception {
    Path conf = Files.writeString(tmp.resolve("protocol-3.yaml"), "testing:\n  protocol_version: 3\n");
    NodeProcess far = new NodeProcess(home, cluster).with("--config", conf.toString());
    assertThat(far.runToExit(Duration.ofSeconds(90))).isNotZero();
    assertThat(far.log()).contains("this node speaks protocol version 3").contains("they cannot talk");
    NodeProcess a = nodes.get(0);
    assertThat(a.log()).contains("node " + name(far) + " writes version 3");
    assertThat(a.health()).contains("\"name\":\"" + name(far) + "\",\"protocol\":3");
    JsonNode seen = row(a, name(far));
    assertThat(seen.path("state").asText()).as(seen.toString()).isEqualTo("Incompatible");
    assertThat(seen.path("protocol").asInt()).isEqualTo(3);
  }

  @Test
  @Order(4)
  void theClusterIsUpgradedNodeByNodeUnderLoadAndNoRequestFails() throws Exception {
    Path next = Files.writeString(tmp.resolve("protocol-2.yaml"), "testing:\n  protocol_version: 2\n");
    Cli first = cli(nodes.get(0));
    JsonNode before = first.okJson("online-deployment", "list", "-e", "up-ep", "--query",
        "sort_by(@, &name)[].{name: name, count: instance_count, state: provisioning_state}");
    try (BalancedLoad load = load()) {
      Await.until(() -> load.answered() > 200, Duration.ofSeconds(30), "answers before the upgrade");
      // each drain moves green's one instance to a node whose JIT is cold: its p99 is not what is judged here
      first.ok("online-endpoint", "rollout", "start", "-n", "up-ep", "--deployment", "green", "--steps",
          "10 40 70 100", "--interval", "15s", "--min-requests", "20", "--max-p99-ratio", "1000", "--no-wait");
      // the first node upgraded is the last to have a router in service at the end: upgrade the others first
      for (NodeProcess n : List.of(nodes.get(1), nodes.get(2), nodes.get(0))) {
        NodeProcess other = nodes.stream().filter(o -> o != n).findFirst().orElseThrow();
        upgrade(n, other, load, next);
      }
      JsonNode rollout = cli(nodes.get(1)).okJson("online-endpoint", "rollout", "show", "-n", "up-ep");
      assertThat(rollout.path("status").asText()).as("the rollout outlived the upgrade: %s", rollout)
          .isEqualTo("Running");
      for (NodeProcess n : nodes) {
        Await.until(() -> n.health().contains("\"writes\":2"), Duration.ofSeconds(20), name(n) + " writing 2");
      }
      JsonNode done = Await.until(() -> {
        Cli.Result shown = cli(nodes.get(1)).run("online-endpoint", "rollout", "show", "-n", "up-ep");
        return shown.code() == 0 ? shown.json() : Cli.JSON.createObjectNode();
      }, r -> r.has("status") && !r.path("status").asText().equals("Running"), Duration.ofSeconds(120),
          "the rollout to end");
      assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("Succeeded");
      load.close();
      noneFailed(load);
    }
    Cli cli = cli(nodes.get(1));
    assertThat(cli.okJson("online-deployment", "list", "-e", "up-ep", "--query",
        "sort_by(@, &name)[].{name: name, count: instance_count, state: provisioning_state}"))
        .as("the desired state after the upgrade").isEqualTo(before);
    assertThat(cli.ok("online-endpoint", "get-credentials", "-n", "up-ep", "-o", "tsv", "--query", "primaryKey"))
        .isEqualTo(key);
    assertThat(cli.okJson("online-endpoint", "show", "-n", "up-ep", "--query", "traffic.green").asInt())
        .isEqualTo(100);
    for (JsonNode r : cli.okJson("node", "list")) {
      assertThat(r.path("state").asText()).as(r.toString()).isIn("Ready", "Incompatible");
      if (!r.path("state").asText().equals("Incompatible")) {
        assertThat(r.path("protocol").asInt()).isEqualTo(2);
      }
    }
  }

  /**
   * One node: drained with its router (the balancer takes it out), stopped, started as the next release (it comes
   * back drained: the drain is kept in the store), undrained (the balancer takes it back).
   */
  private void upgrade(NodeProcess n, NodeProcess other, BalancedLoad load, Path next) throws Exception {
    long t0 = System.nanoTime();
    JsonNode drained = okSoon(other, "node", "drain", name(n), "--routers-too");
    assertThat(drained.path("state").asText()).isEqualTo("Drained");
    Await.until(() -> !load.inRotation(n.url()), Duration.ofSeconds(10), name(n) + " out of the balancer's rotation");
    n.stop();
    Await.until(() -> row(other, name(n)).path("state").asText().equals("Stopped"), Duration.ofSeconds(20),
        name(n) + " listed as Stopped (drained, not running)");
    n.with("--config", next.toString()).expecting("DRAINED").start();
    String health = n.health();
    assertThat(health).contains("\"version\":2").contains("\"routers_drained\":true");
    assertThat(okSoon(other, "node", "undrain", name(n)).path("state").asText()).isEqualTo("Ready");
    Await.until(() -> load.inRotation(n.url()), Duration.ofSeconds(10), name(n) + " back in rotation");
    System.out.printf("%s upgraded: out of service %.1f s; %s%n", name(n), (System.nanoTime() - t0) / 1e9,
        load.summary());
  }

  /** A command through {@code via}; while the embedded store moves to another process one may fail: retried. */
  private JsonNode okSoon(NodeProcess via, String... args) {
    return Await.until(() -> {
      Cli.Result r = cli(via).run(args);
      return r.code() == 0 ? r.json() : null;
    }, r -> r != null, Duration.ofSeconds(60), "sluice " + String.join(" ", args));
  }
}
