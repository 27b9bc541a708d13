package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.auth.ControlProof;
import io.sluice.protocol.Addresses;
import io.sluice.protocol.LoadReport;
import io.sluice.protocol.Ops;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member that is not a node, tried as an attacker would (issue 21): a plain Hazelcast + Vert.x member of the
 * cluster, no store, no admin token, that joined before the nodes (so it is the oldest member). It registers
 * consumers on the nodes' addresses, answers control requests, writes forged map entries, points a node's channel at
 * its relay, sends forged, relayed and replayed messages and path ids. Each attack fails while the cluster serves.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RogueMemberTest {
  @TempDir
  static Path tmp;
  Vertx rogue;
  /** Another plain member that sends the forgeries (the rogue's own consumers would answer the rogue's sends). */
  Vertx forger;
  NodeProcess host;
  NodeProcess router;
  Cli cli;
  String key;
  String token;
  String hostId;
  String instanceId;
  final List<String> heard = new CopyOnWriteArrayList<>();
  final AtomicInteger relayed = new AtomicInteger();

  @BeforeAll
  void start() throws Exception {
    String cluster = "rogue-" + UUID.randomUUID();
    rogue = Members.join(cluster, new EventBusOptions());
    // what a node would say on the cluster's addresses the rogue listens for, from before the nodes start
    for (String a : List.of(Addresses.ENDPOINTS, Addresses.ENDPOINTS_INTERNAL, Addresses.EVENTS, Addresses.LOAD)) {
      listen(a);
    }
    // it writes itself into the node list first, with room for every instance: the oldest "node" of the cluster
    rawMap(Addresses.NODES_MAP).put(Members.id(rogue), Members.facts(rogue, "rogue")).await(20, TimeUnit.SECONDS);
    Path home = tmp.resolve("home");
    host = new NodeProcess(home, cluster).start();
    router = new NodeProcess(home, cluster).with("--roles", "router").start();
    forger = Members.join(cluster, new EventBusOptions());
    cli = new Cli(home, host.url());
    token = Files.readString(home.resolve("admin-token")).trim();
    cli.ok("online-endpoint", "create", "-n", "rogue-ep");
    cli.ok("online-deployment", "create", "-f", Samples.repo().resolve("examples/java-echo/echo-deployment.yml")
        .toString(), "-e", "rogue-ep", "-n", "echo", "--all-traffic");
    key = cli.ok("online-endpoint", "get-credentials", "-n", "rogue-ep", "-o", "tsv", "--query", "primaryKey");
    hostId = cli.okJson("online-deployment", "show", "-n", "echo", "-e", "rogue-ep", "--query",
        "instances[0].node_id").asText();
    instanceId = cli.okJson("online-deployment", "show", "-n", "echo", "-e", "rogue-ep", "--query",
        "instances[0].id").asText();
    quiet();
    listenToAll();
  }

  @AfterAll
  void stop() throws Exception {
    router.stop();
    host.stop();
    forger.close().await(30, TimeUnit.SECONDS);
    rogue.close().await(30, TimeUnit.SECONDS);
  }

  /** The rogue's consumers: registered to hear what nodes send, unregistered while the forger sends. */
  final List<io.vertx.core.eventbus.MessageConsumer<Object>> consumers = new CopyOnWriteArrayList<>();

  private void listenToAll(String... extra) throws Exception {
    for (String a : List.of(Addresses.ENDPOINTS, Addresses.ENDPOINTS_INTERNAL, Addresses.EVENTS, Addresses.LOAD,
        Addresses.router(Members.id(rogue)), Addresses.supervisor(Members.id(rogue)), Addresses.supervisor(hostId),
        Addresses.loadHub(Members.id(rogue)), Addresses.loadHub(hostId),
        Addresses.router(hostId), Addresses.scorer(instanceId))) {
      listen(a);
    }
    for (String a : extra) {
      listen(a);
    }
  }

  private void quiet() throws Exception {
    for (var c : consumers) {
      c.unregister().await(20, TimeUnit.SECONDS);
    }
    consumers.clear();
  }

  private void listen(String address) throws Exception {
    var consumer = rogue.eventBus().<Object>consumer(address, m -> {
      heard.add(address + " " + m.body());
      if (m.replyAddress() != null) { // a forged answer: what a rogue endpoint-manager, router or scorer would say
        m.reply(new JsonObject().put("token_public_key", "-----BEGIN PUBLIC KEY----- rogue").put("accepted", true));
      }
    });
    consumer.completion().await(20, TimeUnit.SECONDS);
    consumers.add(consumer);
  }

  /** sluice_unproved_total{kind} of one node. */
  private static double unproved(NodeProcess node, String kind) throws Exception {
    String text = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(node.url() + "/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    return text.lines().filter(l -> l.startsWith("sluice_unproved_total{") && l.contains("kind=\"" + kind + "\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  private AsyncMap<String, JsonObject> rawMap(String name) throws Exception {
    return rogue.sharedData().<String, JsonObject>getClusterWideMap(name).await(20, TimeUnit.SECONDS);
  }

  /** {@code n} requests through the router-only node (its instance is on the other node): all answered. */
  private void scoreThroughTheRouter(int n) throws Exception {
    Scoring s = new Scoring(router);
    for (int i = 0; i < n; i++) {
      assertThat(s.withKey("rogue-ep", key, "{\"n\": " + i + "}").body()).isEqualTo("{\"n\": " + i + "}");
    }
  }

  @Test
  @Order(1)
  void theOldestMemberWithAnEntryNeitherLeadsNorHostsNorHearsAnything() throws Exception {
    assertThat(cli.okJson("online-deployment", "show", "-n", "echo", "-e", "rogue-ep", "--query", "instances[0].node")
        .asText()).isEqualTo("node-" + host.port);
    assertThat(host.log()).contains("is now the supervisor leader");
    scoreThroughTheRouter(30);
    cli.ok("online-endpoint", "update", "-n", "rogue-ep", "--traffic", "echo=100");
    cli.ok("online-endpoint", "regenerate-keys", "-n", "rogue-ep", "--key-type", "secondary");
    key = cli.ok("online-endpoint", "get-credentials", "-n", "rogue-ep", "-o", "tsv", "--query", "primaryKey");
    // meanwhile the router-only node asked for snapshots (at its start and when the rogue joined) and load reports
    // went out each second
    scoreThroughTheRouter(10);
    assertThat(heard).as("what nodes sent or published to the rogue's consumers").isEmpty();
    assertThat(host.log() + router.log()).contains("ignored an unproved entry");
    quiet(); // from here the forger sends, and only nodes may answer it
  }

  @Test
  @Order(2)
  void messagesWithoutAProofAreRefusedAndChangeNothing() throws Exception {
    JsonObject[] forged = {
        new JsonObject().put(Ops.OP, Ops.SNAPSHOT),
        new JsonObject().put(Ops.OP, Ops.ENDPOINT_KEYS).put("name", "rogue-ep"),
        new JsonObject().put(Ops.OP, Ops.ENDPOINT_DELETE).put("name", "rogue-ep"),
        new JsonObject().put(Ops.OP, Ops.NODE_DRAIN).put("name", "node-" + host.port),
        // a replay's recorded requests and the endpoint's key; collected data
        new JsonObject().put(Ops.OP, Ops.ROLLOUT_RECORDED).put("endpoint", "rogue-ep"),
        new JsonObject().put(Ops.OP, Ops.DEPLOYMENT_COLLECTED).put("endpoint", "rogue-ep").put("name", "blue")
            .put("collection", "request").put("since", 0).put("limit", 10)};
    for (JsonObject op : forged) {
      assertRefused(Addresses.ENDPOINTS_INTERNAL, op, "need a node's or the admin's proof");
      assertRefused(Addresses.ENDPOINTS, op, "need a node's or the admin's proof");
    }
    assertRefused(Addresses.router(hostId), new JsonObject().put("type", "desired").put("endpoint", "rogue-ep")
        .putNull("document"), "need a node's or the admin's proof");
    assertRefused(Addresses.supervisor(hostId), new JsonObject().put(Ops.OP, Ops.SPAWN).put("instance",
        new JsonObject().put("id", "../../escaped")), "need a node's or the admin's proof");
    assertRefused(Addresses.supervisor(hostId), new JsonObject().put(Ops.OP, Ops.COLLECTED).put("endpoint", "rogue-ep")
        .put("deployment", "blue").put("collection", "request").put("data_collector", new JsonObject()
            .put("collections", new JsonObject().put("request", new JsonObject().put("enabled", true)
                .put("data", new JsonObject().put("path", "/etc"))))).put("since", 0).put("limit", 10),
        "need a node's or the admin's proof");
    // a forged load report to the hub (the oldest node): it would skew admission shares, autoscaling and judging
    assertRefused(Addresses.loadHub(hostId), new LoadReport("forger", System.currentTimeMillis() / 1000,
        List.of(new LoadReport.DeploymentLoad("rogue-ep", "echo", false, 0, 0, 0, 1_000_000, 0, null, null)))
        .toJson(), "need a node's or the admin's proof");
    // no key needed on an instance's own address? It needs a node's proof
    assertRefused(Addresses.scorer(instanceId), Buffer.buffer("{\"free\": true}"),
        "need a node's or the admin's proof");
    assertThat(cli.okJson("online-endpoint", "show", "-n", "rogue-ep").path("name").asText()).isEqualTo("rogue-ep");
    assertThat(cli.okJson("node", "list", "--query", "[?drained]")).as("no node drained").isEmpty();
    scoreThroughTheRouter(5);
    assertThat(unproved(host, "message")).isGreaterThanOrEqualTo(12);
  }

  private void assertRefused(String address, Object body, String why) throws Exception {
    try {
      forger.eventBus().request(address, body, new DeliveryOptions().setSendTimeout(10_000))
          .await(20, TimeUnit.SECONDS);
      throw new AssertionError(address + " answered a member without proof: " + body);
    } catch (ReplyException e) {
      assertThat(e.failureCode()).as(e.getMessage()).isEqualTo(403);
      assertThat(e.getMessage()).contains(why);
    }
  }

  /**
   * What a member could do with proofs it overheard (or a node's key): sign as a node and relay, or send the same
   * nonce again. The rogue's interceptor makes valid proofs with the admin token, so only the receiver's other checks
   * (the sender the wire names, the nonce seen once) can stop these.
   */
  @Test
  @Order(3)
  void aProofCannotBeRelayedFromAnotherMemberNorReplayed() throws Exception {
    ControlProof proof = new ControlProof(token);
    String[] claimedFrom = {hostId};
    String[] fixedNonce = {null};
    io.vertx.core.Handler<DeliveryContext<Object>> signer = ctx -> {
      String address = ctx.message().address();
      if (address.startsWith("sluice.")) {
        long now = System.currentTimeMillis();
        String nonce = fixedNonce[0] != null ? fixedNonce[0] : UUID.randomUUID().toString();
        ControlProof.Claim c = new ControlProof.Claim(address, now, nonce, claimedFrom[0],
            ctx.message().replyAddress() == null ? "" : ctx.message().replyAddress(),
            io.sluice.protocol.ProtocolVersion.CURRENT);
        ctx.message().headers().set(ControlProof.TIME_HEADER, Long.toString(now))
            .set(io.sluice.protocol.ProtocolVersion.HEADER, Integer.toString(c.protocol()))
            .set(ControlProof.NONCE_HEADER, nonce).set(ControlProof.FROM_HEADER, c.from())
            .set(ControlProof.HEADER, proof.sign(c, ctx.body()));
      }
      ctx.next();
    };
    forger.eventBus().addOutboundInterceptor(signer);
    try {
      JsonObject get = new JsonObject().put(Ops.OP, Ops.ENDPOINT_GET).put("name", "rogue-ep");
      // signed as the node: the node would answer the node, not the rogue that relays it
      assertRefused(Addresses.ENDPOINTS, get, "relayed");
      // signed as itself (as if it held the key): answered once, refused when the nonce comes again
      claimedFrom[0] = Members.id(forger);
      fixedNonce[0] = "nonce-" + UUID.randomUUID();
      JsonObject first = forger.eventBus().<JsonObject>request(Addresses.ENDPOINTS, get,
          new DeliveryOptions().setSendTimeout(10_000)).await(20, TimeUnit.SECONDS).body();
      assertThat(first.encode()).contains("rogue-ep");
      assertRefused(Addresses.ENDPOINTS, get, "replay");
    } finally {
      forger.eventBus().removeOutboundInterceptor(signer);
    }
  }

  @Test
  @Order(4)
  void forgedMapEntriesAreIgnoredAndANodesEntryComesBack() throws Exception {
    AsyncMap<String, JsonObject> instances = rawMap(Addresses.INSTANCES_MAP);
    AsyncMap<String, JsonObject> nodes = rawMap(Addresses.NODES_MAP);
    // a Ready instance of echo on the rogue, at an address it listens on (and all the nodes' addresses again)
    listenToAll(Addresses.scorer("echo-f0f0f0f0"));
    instances.put("echo-f0f0f0f0", new JsonObject().put("id", "echo-f0f0f0f0").put("endpoint", "rogue-ep")
        .put("deployment", "echo").put("spec_version", 1).put("node_id", Members.id(rogue)).put("node", "rogue")
        .put("state", "Ready")).await(20, TimeUnit.SECONDS);
    // the host's channel pointed at the rogue's relay, which counts whoever connects
    io.vertx.core.net.NetServer relay = rogue.createNetServer().connectHandler(s -> {
      relayed.incrementAndGet();
      s.close();
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    try {
      JsonObject sealed = nodes.get(hostId).await(20, TimeUnit.SECONDS);
      assertThat(sealed).as("the host's entry").isNotNull();
      Function<String, JsonObject> pointedAt = channel -> sealed.copy().put("fact", new JsonObject(
          sealed.getString("fact")).put("channel", channel).encode());
      nodes.put(hostId, pointedAt.apply("127.0.0.1:" + relay.actualPort())).await(20, TimeUnit.SECONDS);
      // an entry that claims a protocol version no node speaks, with no node's proof: not a node, not reported
      double refusedBefore = unproved(host, "entry");
      nodes.put(Members.id(forger), new JsonObject().put("fact", new JsonObject().put("node_id", Members.id(forger))
          .put("name", "far-away").put("protocol", 9).encode()).put("protocol", 9).put("proof", "forged"))
          .await(20, TimeUnit.SECONDS);
      Await.until(() -> unproved(host, "entry") >= refusedBefore + 6, Duration.ofSeconds(20),
          "the host reading the forged entries again");
      assertThat(cli.ok("node", "list")).doesNotContain("far-away").doesNotContain("Incompatible");
      assertThat(host.log()).doesNotContain("far-away");
      scoreThroughTheRouter(30);
      assertThat(cli.okJson("online-deployment", "show", "-n", "echo", "-e", "rogue-ep", "--query", "instances[].id")
          .toString()).doesNotContain("echo-f0f0f0f0");
      // the host wrote its own entry again (the rewritten one proved nothing)
      Await.until(() -> sealed.equals(nodes.get(hostId).await(20, TimeUnit.SECONDS)), Duration.ofSeconds(20),
          "the host's own entry back");
      nodes.remove(hostId).await(20, TimeUnit.SECONDS);
      Await.until(() -> nodes.get(hostId).await(20, TimeUnit.SECONDS) != null, Duration.ofSeconds(20),
          "the host's entry back after its deletion");
      scoreThroughTheRouter(10);
      assertThat(relayed.get()).as("connections to the relay").isZero();
      assertThat(heard).isEmpty();
    } finally {
      quiet();
      instances.remove("echo-f0f0f0f0").await(20, TimeUnit.SECONDS);
      nodes.remove(Members.id(forger)).await(20, TimeUnit.SECONDS);
      relay.close();
    }
  }

  /** A node's own (proved) order with an instance id that is a path: refused, counted, no file written. */
  @Test
  @Order(5)
  void anIdThatIsAPathNamesNoFile() throws Exception {
    io.sluice.auth.ControlGuard.install(forger, token); // a holder of the admin token (proves as itself)
    for (String op : List.of(Ops.LOGS, Ops.STOP)) {
      try {
        forger.eventBus().request(Addresses.supervisor(hostId), new JsonObject().put(Ops.OP, op)
            .put("instance", "../../../escaped"), new DeliveryOptions().setSendTimeout(10_000))
            .await(20, TimeUnit.SECONDS);
        throw new AssertionError("a path id was taken");
      } catch (ReplyException e) {
        assertThat(e.failureCode()).as(e.getMessage()).isEqualTo(400);
        assertThat(e.getMessage()).contains("not an instance id");
      }
    }
    assertThat(unproved(host, "id")).isEqualTo(2);
    try (var files = Files.walk(tmp)) {
      assertThat(files.filter(p -> p.getFileName().toString().startsWith("escaped")).toList()).isEmpty();
    }
    scoreThroughTheRouter(5);
  }
}
