package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.cli.SluiceCli;
import io.sluice.node.ClusterSetup;
import io.sluice.protocol.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS switched on by node config: HTTPS for scoring and the control plane, TLS on the applications' bridge, and
 * mutual TLS between nodes from one CA folder (--cluster-tls, made by scripts/cluster-ca.sh). The two nodes start
 * at the same moment on an empty store and must agree on one admin token. The scorer runs on the other node, so every request crosses the
 * encrypted event bus; a member with a certificate the CA did not sign can neither send to nor hear from the
 * nodes, while one the CA signed can.
 */
class TlsTest {
  @TempDir
  Path tmp;

  @Test
  void httpsAndMutualTlsBetweenNodesStartedTogether() throws Exception {
    Process gen = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
        tmp.resolve("key.pem").toString(), "-out", tmp.resolve("cert.pem").toString(), "-days", "1", "-subj",
        "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost").redirectErrorStream(true).start();
    assumeTrue(gen.waitFor(60, TimeUnit.SECONDS) && gen.exitValue() == 0, "skipped: openssl cannot make a certificate");
    Path ca = tmp.resolve("cluster-tls");
    script(ca.toString());
    script(ca.toString(), "trusted-app");
    script(tmp.resolve("other-ca").toString(), "intruder");
    Process selfSigned = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
        tmp.resolve("self-signed-key.pem").toString(), "-out", tmp.resolve("self-signed.pem").toString(), "-days",
        "1", "-subj", "/CN=node").redirectErrorStream(true).start();
    assertThat(selfSigned.waitFor(60, TimeUnit.SECONDS) && selfSigned.exitValue() == 0).isTrue();
    String cert = tmp.resolve("cert.pem").toString();
    String key = tmp.resolve("key.pem").toString();
    Path conf = Files.writeString(tmp.resolve("tls.yaml"), """
        tls:
          http: {cert: %s, key: %s}
          bridge: {cert: %s, key: %s}
        node:
          leave_timeout_ms: 3000   # the scorer's instance has nowhere else to go: do not wait for it on stop
        """.formatted(cert, key, cert, key));
    String cluster = "tls-" + UUID.randomUUID();
    NodeProcess router = new NodeProcess(tmp.resolve("home"), cluster).with("--config", conf.toString(),
        "--cluster-tls", ca.toString(), "--instance-types", "here");
    NodeProcess scorer = new NodeProcess(tmp.resolve("home"), cluster).with("--config", conf.toString(),
        "--cluster-tls", ca.toString(), "--instance-types", "there");
    try {
      CompletableFuture<?> a = CompletableFuture.runAsync(() -> startTls(router, cert));
      CompletableFuture<?> b = CompletableFuture.runAsync(() -> startTls(scorer, cert));
      CompletableFuture.allOf(a, b).get(180, TimeUnit.SECONDS);
      Map<String, String> env = Map.of("SLUICE_HOME", tmp.resolve("home").toString(), "SLUICE_URL",
          "https://127.0.0.1:" + router.port, "SLUICE_CA_FILE", cert);
      // one admin token for the cluster: the file either node wrote opens both nodes' control plane
      Map<String, String> envScorer = Map.of("SLUICE_HOME", tmp.resolve("home").toString(), "SLUICE_URL",
          "https://127.0.0.1:" + scorer.port, "SLUICE_CA_FILE", cert);
      run(envScorer, "online-endpoint", "list");
      assertThat(run(env, "online-endpoint", "create", "-n", "tls-ep", "-o", "tsv", "--query", "scoring_uri"))
          .isEqualTo("https://127.0.0.1:" + router.port + "/endpoints/tls-ep/score");
      run(env, "online-deployment", "create", "-f", Samples.repo().resolve("examples/java-echo/echo-deployment.yml")
          .toString(), "-e", "tls-ep", "-n", "echo", "--all-traffic", "--set", "instance_type=there",
          "data_collector.collections.request.enabled=True", "data_collector.collections.response.enabled=True",
          "-o", "none");
      Path req = Files.writeString(tmp.resolve("req.json"), "{\"over\": \"tls\"}");
      assertThat(run(env, "online-endpoint", "invoke", "-n", "tls-ep", "-r", req.toString()))
          .isEqualTo("{\"over\": \"tls\"}");
      // the router's requests to the other node take its scoring channel, under the cluster's mutual TLS
      Await.until(() -> run(env, "online-endpoint", "invoke", "-n", "tls-ep", "-r", req.toString())
          .equals("{\"over\": \"tls\"}") && router.metric("sluice_channels") == 1, Duration.ofSeconds(30),
          "a scoring channel over mutual TLS");
      double sent = router.metric("sluice_channel_calls_total");
      assertThat(run(env, "online-endpoint", "invoke", "-n", "tls-ep", "-r", req.toString()))
          .isEqualTo("{\"over\": \"tls\"}");
      assertThat(router.metric("sluice_channel_calls_total")).isEqualTo(sent + 1);
      // a client without a certificate of the cluster's CA gets no TLS session there, let alone an answer
      String token = Files.readString(tmp.resolve("home/admin-token")).trim();
      String nodes = java.net.http.HttpClient.newBuilder().sslContext(io.sluice.cli.ApiClient.trusting(cert)).build()
          .send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://127.0.0.1:" + router.port
              + "/api/cluster")).header("Authorization", "Bearer " + token).build(),
              java.net.http.HttpResponse.BodyHandlers.ofString()).body();
      String channel = new JsonObject(nodes).getJsonArray("nodes").stream()
          .map(o -> ((JsonObject) o).getString("channel")).filter(c -> c != null && !c.isEmpty()).findFirst()
          .orElseThrow();
      assertThat(channelHello(channel, null)).as("no client certificate").isFalse();
      assertThat(channelHello(channel, tmp.resolve("other-ca"))).as("a certificate of another CA").isFalse();
      String endpointKey = run(env, "online-endpoint", "get-credentials", "-n", "tls-ep", "-o", "tsv", "--query",
          "primaryKey");
      // without the certificate the CLI refuses to talk to the node
      Map<String, String> untrusting = Map.of("SLUICE_HOME", tmp.resolve("home").toString(), "SLUICE_URL",
          "https://127.0.0.1:" + router.port);
      StringWriter err = new StringWriter();
      int code = SluiceCli.run(new String[] {"online-endpoint", "list"}, untrusting, new PrintWriter(new StringWriter()),
          new PrintWriter(err));
      assertThat(code).isEqualTo(1);
      // applications score over the bridge with TLS, checking the node's certificate
      Vertx app = Vertx.vertx();
      try {
        io.sluice.client.SluiceClient client = io.sluice.client.SluiceClient.connect(app, "127.0.0.1",
            router.bridgePort, new io.vertx.core.net.NetClientOptions().setSsl(true)
                .setHostnameVerificationAlgorithm("HTTPS").setTrustOptions(new PemTrustOptions().addCertPath(cert)),
            30_000).await(20, TimeUnit.SECONDS);
        assertThat(client.invoke("tls-ep", endpointKey, "{\"over\": \"bridge\"}", null).await(20, TimeUnit.SECONDS)
            .body()).isEqualTo("{\"over\": \"bridge\"}");
      } finally {
        app.close().await(20, TimeUnit.SECONDS);
      }
      String invoke = new JsonObject().put("endpoint", "tls-ep").put("authorization", "Bearer " + endpointKey)
          .put("body", "{}").encode();
      // members that hold the admin token and write a node's proved entry for themselves, so that nodes send and
      // publish to them: one with a certificate of the cluster's CA hears the nodes (so the silence below is TLS's),
      // the intruder, with its own self-signed certificate, asking none from its peers and trusting any, hears nothing
      Vertx trusted = member(cluster, ca.resolve("trusted-app.pem"), ca.resolve("trusted-app-key.pem"), ca);
      Vertx intruder = member(cluster, tmp.resolve("self-signed.pem"), tmp.resolve("self-signed-key.pem"), null);
      try {
        List<String> heardByTrusted = listen(trusted);
        List<String> heardByIntruder = listen(intruder);
        Members.writeProvedEntry(trusted, token, "trusted-member");
        Members.writeProvedEntry(intruder, token, "intruder");
        JsonObject answer = trusted.eventBus().<JsonObject>request(Addresses.INVOKE, new JsonObject(invoke))
            .await(30, TimeUnit.SECONDS).body();
        assertThat(answer.getString("body")).isEqualTo("{}");
        // the load hub's digests (published each second while requests flow) reach the trusted member only
        Path more = Files.writeString(tmp.resolve("more.json"), "{\"more\": 1}");
        Await.until(() -> {
          run(env, "online-endpoint", "invoke", "-n", "tls-ep", "-r", more.toString());
          return !heardByTrusted.isEmpty();
        }, Duration.ofSeconds(30), "a load digest heard by the trusted member");
        try {
          intruder.eventBus().request(Addresses.INVOKE, new JsonObject(invoke),
              new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(5000)).await(20, TimeUnit.SECONDS);
          throw new AssertionError("a member without a certificate of the cluster's CA was answered");
        } catch (io.vertx.core.eventbus.ReplyException expected) {
          // timed out: the nodes never took the message
        }
        // more digests went out meanwhile (the trusted member heard them): none reached the intruder
        int heard = heardByTrusted.size();
        Await.until(() -> {
          run(env, "online-endpoint", "invoke", "-n", "tls-ep", "-r", more.toString());
          return heardByTrusted.size() > heard + 2;
        }, Duration.ofSeconds(30), "more load digests heard by the trusted member");
        assertThat(heardByIntruder).isEmpty();
      } finally {
        intruder.close().await(30, TimeUnit.SECONDS);
        trusted.close().await(30, TimeUnit.SECONDS);
      }
      replayOverHttps(env);
    } finally {
      scorer.stop();
      router.stop();
    }
  }

  /**
   * A rollout's replay goes through a router like a client, so over HTTPS too: the leader's node trusts the routers'
   * certificate (tls.http.cert here), and the candidate passes its replay step.
   */
  private void replayOverHttps(Map<String, String> env) throws Exception {
    Await.until(() -> run(env, "online-deployment", "get-collected-data", "-n", "echo", "-e", "tls-ep",
        "--collection", "response", "-o", "tsv", "--query", "length(@)"), n -> Integer.parseInt(n) >= 10,
        Duration.ofSeconds(15), "the live deployment's answers recorded");
    run(env, "online-deployment", "create", "-f", Samples.repo().resolve("examples/java-echo/echo-deployment.yml")
        .toString(), "-e", "tls-ep", "-n", "candidate", "--set", "instance_type=there", "-o", "none");
    run(env, "online-endpoint", "rollout", "start", "-n", "tls-ep", "--deployment", "candidate", "--replay-first",
        "10", "--min-requests", "5", "--replay-rate", "100", "--steps", "10 100", "--interval", "60s", "--no-wait");
    String step = Await.until(() -> run(env, "online-endpoint", "rollout", "show", "-n", "tls-ep", "-o", "tsv",
        "--query", "step_label"), "10%"::equals, Duration.ofSeconds(60), "past the replay over HTTPS, at 10 %");
    assertThat(step).isEqualTo("10%");
    assertThat(run(env, "online-endpoint", "rollout", "show", "-n", "tls-ep", "-o", "tsv", "--query",
        "verdicts[0].figures.replay_compared")).isEqualTo("10");
    run(env, "online-endpoint", "rollout", "abort", "-n", "tls-ep");
  }

  /**
   * Whether a TLS client (with the intruder's certificate from {@code otherCa}, or none) that says HELLO to the
   * scoring channel is answered.
   */
  private static boolean channelHello(String hostPort, Path otherCa) throws Exception {
    Vertx v = Vertx.vertx();
    try {
      io.vertx.core.net.NetClientOptions o = new io.vertx.core.net.NetClientOptions().setSsl(true).setTrustAll(true)
          .setHostnameVerificationAlgorithm("");
      if (otherCa != null) {
        o.setKeyCertOptions(new PemKeyCertOptions().setCertPath(otherCa.resolve("intruder.pem").toString())
            .setKeyPath(otherCa.resolve("intruder-key.pem").toString()));
      }
      int colon = hostPort.lastIndexOf(':');
      CompletableFuture<Boolean> hello = new CompletableFuture<>();
      v.createNetClient(o).connect(Integer.parseInt(hostPort.substring(colon + 1)), hostPort.substring(0, colon))
          .onFailure(err -> hello.complete(false)).onSuccess(s -> {
            s.handler(b -> hello.complete(true));
            s.closeHandler(x -> hello.complete(false));
            s.write(io.sluice.channel.ChannelFrames.hello(io.sluice.channel.ChannelHandshake.nonce()));
          });
      return hello.get(30, TimeUnit.SECONDS);
    } finally {
      v.close().await(20, TimeUnit.SECONDS);
    }
  }

  private static void startTls(NodeProcess node, String cert) {
    try {
      node.startTls(cert);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A Vert.x that joins the cluster's Hazelcast with the given certificate on its event bus. */
  private static Vertx member(String cluster, Path cert, Path key, Path trustedCa) throws Exception {
    EventBusOptions bus = new EventBusOptions().setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString()));
    if (trustedCa != null) {
      bus.setClientAuth(io.vertx.core.http.ClientAuth.REQUIRED).setTrustAll(false)
          .setTrustOptions(new PemTrustOptions().addCertPath(trustedCa.resolve("ca.pem").toString()));
    } else {
      // the intruder accepts anyone and asks for no certificate: only the nodes' own checks can stop it
      bus.setClientAuth(io.vertx.core.http.ClientAuth.NONE).setTrustAll(true);
    }
    return Members.join(cluster, bus);
  }

  private static List<String> listen(Vertx member) throws Exception {
    List<String> heard = new CopyOnWriteArrayList<>();
    member.eventBus().<JsonObject>consumer(Addresses.LOAD, m -> heard.add(m.body().encode())).completion()
        .await(20, TimeUnit.SECONDS);
    return heard;
  }

  private static void script(String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("bash", Samples.repo().resolve("scripts/cluster-ca.sh")
        .toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as(out).isTrue();
  }

  private static String run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = SluiceCli.run(args, env, new PrintWriter(out), new PrintWriter(err));
    assertThat(code).as("%s: %s", String.join(" ", args), err).isZero();
    return out.toString().trim();
  }
}
