package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.loadtest.LoadGenerator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Azure's data-plane contract against a real node and real Python processes: request timeouts that leave nothing
 * wedged, admission and queue limits, workers that exit, scripts that raise, an init() that never ends, key and
 * token auth, body limits, request ids and metrics.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DataPlaneTest {
  @TempDir
  static Path tmp;
  NodeProcess node;
  Cli cli;
  String key;
  final HttpClient http = HttpClient.newHttpClient();
  Scoring scoring;

  static final String SCRIPT = """
      import logging, os, time
      def init():
          if os.environ.get("INIT") == "hang":
              time.sleep(3600)
      def run(raw_data):
          logging.info("got %s", raw_data[:20])
          if raw_data.startswith("sleep"):
              time.sleep(float(raw_data[5:]))
          if raw_data == "exit":
              os._exit(3)
          if raw_data == "raise":
              raise ValueError("boom")
          if raw_data == "grow":
              held = []
              for _ in range(40):
                  held.append(bytearray(16 << 20))  # 16 MiB at a time, touched
                  time.sleep(0.05)
          print("printed by run")
          return raw_data
      """;

  Path yaml(String name, String extra) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("d-" + name));
    Files.createDirectories(dir.resolve("code"));
    Files.writeString(dir.resolve("code/score.py"), SCRIPT);
    return Files.writeString(dir.resolve("d.yml"), """
        name: %s
        endpoint_name: dp-ep
        code_configuration: {code: code, scoring_script: score.py}
        environment: {image: any}
        instance_type: Standard_DS3_v2
        instance_count: 1
        """.formatted(name) + extra);
  }

  @BeforeAll
  void start() throws Exception {
    Path conf = Files.writeString(tmp.resolve("node.yaml"), """
        auth:
          token_ttl_seconds: 2
        limits:
          max_body_bytes: 4096
          max_upload_bytes: 65536
        """);
    node = new NodeProcess(tmp.resolve("home"), "dp-" + UUID.randomUUID()).with("--config", conf.toString()).start();
    scoring = new Scoring(node);
    cli = new Cli(node.home);
    cli.ok("online-endpoint", "create", "-n", "dp-ep");
    cli.ok("online-deployment", "create", "-f", yaml("slow", """
        request_settings: {request_timeout_ms: 1000, max_queue_wait_ms: 3000}
        """).toString(), "--all-traffic");
    cli.ok("online-deployment", "create", "-f", yaml("queue", """
        request_settings: {request_timeout_ms: 5000, max_queue_wait_ms: 100}
        """).toString());
    cli.ok("online-deployment", "create", "-f", yaml("twin", "").toString(), "--set", "instance_count=2");
    key = cli.ok("online-endpoint", "get-credentials", "-n", "dp-ep", "-o", "tsv", "--query", "primaryKey");
  }

  @AfterAll
  void stop() throws Exception {
    node.stop();
  }

  HttpResponse<String> score(String ep, String auth, String deployment, String body, String... headers)
      throws Exception {
    return scoring.score(ep, auth, deployment, body, headers);
  }

  /** This router's in-flight count for a deployment of dp-ep, from /metrics (0 before its first request). */
  int inFlight(String deployment) throws Exception {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("sluice_requests_in_flight\\{deployment=\""
        + deployment + "\",endpoint=\"dp-ep\"\\} ([0-9.]+)").matcher(scoring.get("/metrics").body());
    return m.find() ? (int) Double.parseDouble(m.group(1)) : 0;
  }

  HttpResponse<String> score(String deployment, String body) throws Exception {
    return score("dp-ep", "Bearer " + key, deployment, body);
  }

  String allLogs() throws Exception {
    StringBuilder sb = new StringBuilder();
    try (Stream<Path> files = Files.walk(node.home.resolve("nodes"))) {
      for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".log"))::iterator) {
        sb.append(Files.readString(p));
      }
    }
    return sb.toString();
  }

  @Test
  void aRequestOverItsTimeoutIs408AndLeavesNothingWedged() throws Exception {
    long t0 = System.nanoTime();
    HttpResponse<String> slow = score("slow", "sleep30");
    assertThat(slow.statusCode()).isEqualTo(408);
    assertThat(slow.body()).contains("request_timeout_ms=1000");
    assertThat((System.nanoTime() - t0) / 1e9).isLessThan(25); // bounded by the timeout, not the 30 s sleep
    HttpResponse<String> next = score("slow", "after");
    assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
    assertThat(next.body()).isEqualTo("\"after\"");
  }

  /** A Java script from a code folder: its deadline and queue limit hold, and it runs on its own threads. */
  @Test
  void aJavaScriptKeepsItsDeadlineAndQueueLimitOnItsOwnThreads() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("d-jslow"));
    Path src = Files.createDirectories(dir.resolve("src/demo")).resolve("Nap.java");
    Files.writeString(src, """
        package demo;
        import io.sluice.scorer.java.ScoringScript;
        import java.util.Map;
        public class Nap implements ScoringScript {
          public boolean nonBlocking() {
            return true; // a false claim: user code runs on worker threads all the same
          }
          public byte[] run(byte[] body, Map<String, String> headers) throws Exception {
            String b = new String(body);
            if (b.equals("block")) {
              new java.util.concurrent.CountDownLatch(1).await(); // until its deadline interrupts it
            } else if (b.startsWith("hold:")) {
              // a model at work until the test writes to this named pipe (opening it blocks until a writer comes)
              java.nio.file.Files.readAllBytes(java.nio.file.Path.of(b.substring(5)));
            }
            return ("\\"" + Thread.currentThread().getName() + "\\"").getBytes();
          }
        }
        """);
    assertThat(javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d",
        Files.createDirectories(dir.resolve("code")).toString(), "-cp", System.getProperty("java.class.path"),
        src.toString())).isZero();
    Path yml = Files.writeString(dir.resolve("d.yml"), """
        name: jslow
        endpoint_name: dp-ep
        code_configuration: {code: code, scoring_script: demo.Nap}
        environment: {image: sluice/java}
        instance_type: Standard_DS3_v2
        instance_count: 1
        request_settings: {request_timeout_ms: 1000, max_queue_wait_ms: 200}
        """);
    cli.ok("online-deployment", "create", "-f", yml.toString());
    assertThat(score("jslow", "who").body()).startsWith("\"java-scorer-");
    long t0 = System.nanoTime();
    HttpResponse<String> late = score("jslow", "block");
    assertThat(late.statusCode()).as(late.body()).isEqualTo(408);
    assertThat(late.body()).contains("request_timeout_ms=1000");
    assertThat((System.nanoTime() - t0) / 1e9).isLessThan(20);
    assertThat(score("jslow", "who").statusCode()).isEqualTo(200);
    Path hold = dir.resolve("hold");
    assertThat(new ProcessBuilder("mkfifo", hold.toString()).start().waitFor()).isZero();
    var busy = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return score("jslow", "hold:" + hold);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    Await.until(() -> inFlight("jslow") == 1, Duration.ofSeconds(10), "the held run in flight");
    long sent = System.nanoTime();
    var waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return score("jslow", "who");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    // the limit is judged when the slot frees: the model ends once the queued request is past its 200 ms
    Await.until(() -> inFlight("jslow") == 2 && System.nanoTime() - sent > 300_000_000L, Duration.ofSeconds(10),
        "the queued request past max_queue_wait_ms");
    Files.writeString(hold, "done"); // the model ends
    HttpResponse<String> queued = waiting.get(20, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(queued.statusCode()).as(queued.body()).isEqualTo(429);
    assertThat(queued.body()).contains("max_queue_wait_ms=200");
    assertThat(busy.get(20, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    cli.ok("online-deployment", "delete", "-n", "jslow", "-e", "dp-ep", "--yes");
  }

  @Test
  void admissionAllowsTwiceTheConcurrencyAndRefusesTheRest() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      calls.add(CompletableFuture.supplyAsync(() -> {
        try {
          return score("slow", "sleep0.8");
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
      if (i < 2) { // the third is sent once two are admitted
        int admitted = i + 1;
        Await.until(() -> inFlight("slow") >= admitted, Duration.ofSeconds(10), admitted + " requests in flight");
      }
    }
    List<Integer> codes = calls.stream().map(CompletableFuture::join).map(HttpResponse::statusCode).sorted().toList();
    assertThat(codes).containsExactly(200, 200, 429);
    HttpResponse<String> refused = calls.stream().map(CompletableFuture::join).filter(r -> r.statusCode() == 429)
        .findFirst().orElseThrow();
    assertThat(refused.body()).contains("2 x max_concurrent_requests_per_instance x instance_count");
  }

  @Test
  void waitingLongerThanMaxQueueWaitIs429() throws Exception {
    CompletableFuture<HttpResponse<String>> busy = CompletableFuture.supplyAsync(() -> {
      try {
        return score("queue", "sleep0.8");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    Await.until(() -> inFlight("queue") == 1, Duration.ofSeconds(10), "the first request in flight");
    HttpResponse<String> waited = score("queue", "behind");
    assertThat(waited.statusCode()).isEqualTo(429);
    assertThat(waited.body()).contains("max_queue_wait_ms=100");
    assertThat(busy.join().statusCode()).isEqualTo(200);
  }

  @Test
  void aWorkerThatExitsIsRestartedWhileTheOtherInstanceServes() throws Exception {
    HttpResponse<String> died = score("twin", "exit");
    assertThat(died.statusCode()).isEqualTo(500);
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = score("twin", "hello");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
    Await.until(() -> allLogs().contains("exited (code 3)"), Duration.ofSeconds(20), "the worker's exit in the log");
    // replaced at once by the started spare when it was ready, else restarted
    assertThat(allLogs()).contains("exited (code 3)").containsAnyOf("replaced by a started spare", "restarting");
    JsonNode twin = Await.until(() -> cli.okJson("online-deployment", "show", "-n", "twin", "-e", "dp-ep", "--query",
        "instances[].state"), t -> t.toString().equals("[\"Ready\",\"Ready\"]"), Duration.ofSeconds(20),
        "both instances Ready again");
    assertThat(twin.toString()).isEqualTo("[\"Ready\",\"Ready\"]");
  }

  @Test
  void aRaisingScriptIs424AndTheRequestIdIsOnItsLogLines() throws Exception {
    HttpResponse<String> r = score("dp-ep", "Bearer " + key, "twin", "raise", "x-request-id", "rid-raise-1",
        "x-ms-client-request-id", "client-7");
    assertThat(r.statusCode()).isEqualTo(424);
    assertThat(r.headers().firstValue("ms-azureml-model-error-statuscode")).hasValue("500");
    assertThat(r.headers().firstValue("ms-azureml-model-error-reason")).hasValue("model_error");
    assertThat(r.headers().firstValue("x-request-id")).hasValue("rid-raise-1");
    assertThat(r.headers().firstValue("x-ms-client-request-id")).hasValue("client-7");
    assertThat(r.body()).contains("Check the logs");
    score("dp-ep", "Bearer " + key, "twin", "fine", "x-request-id", "rid-fine-1");
    // stderr reaches the log file a moment after the answer, each instance's on its own (twin has two)
    String logs = Await.until(this::allLogs, l -> l.contains("rid-fine-1,printed by run")
        && l.contains("ValueError: boom"), Duration.ofSeconds(5), "the raise's traceback and rid-fine-1's print");
    assertThat(logs).contains("rid-raise-1 - got raise").contains("rid-raise-1 - Encountered Exception")
        .contains("ValueError: boom").contains("rid-fine-1,printed by run");
  }

  @Test
  void anInitThatNeverFinishesFailsTheDeployment() throws Exception {
    String err = cli.fails("online-deployment", "create", "-f", yaml("hang", """
        environment_variables: {INIT: hang}
        readiness_probe: {initial_delay: 1, period: 1, failure_threshold: 2}
        """).toString());
    assertThat(err).contains("init() did not finish within 3 s");
    assertThat(cli.ok("online-deployment", "show", "-n", "hang", "-e", "dp-ep", "--query", "provisioning_state",
        "-o", "tsv")).isEqualTo("Failed");
  }

  @Test
  void aBodyThatIsNotUtf8IsTheScriptsError400() throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(node.url() + "/endpoints/dp-ep/score"))
        .header("Authorization", "Bearer " + key).header("azureml-model-deployment", "twin")
        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {(byte) 0xff, (byte) 0xfe, 0x41})).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(424);
    assertThat(r.headers().firstValue("ms-azureml-model-error-statuscode")).hasValue("400");
    assertThat(r.body()).contains("UTF-8");
  }

  @Test
  void uploadsOverTheLimitAreRefusedAndNothingIsRegistered() throws Exception {
    Path big = Files.createDirectories(tmp.resolve("big/model"));
    byte[] noise = new byte[200_000];
    new java.util.Random(1).nextBytes(noise); // incompressible: the zip stays over 64 KiB
    Files.write(big.resolve("weights.bin"), noise);
    String err = cli.fails("model", "create", "-n", "too-big", "-v", "1", "-p", big.toString());
    assertThat(err).contains("over limits.max_upload_bytes=65536");
    assertThat(cli.okJson("model", "list", "-n", "too-big").size()).isZero();
  }

  @Test
  void bodiesOverTheLimitAre413() throws Exception {
    HttpResponse<String> r = score("twin", "x".repeat(5000));
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.body()).contains("max_body_bytes=4096");
  }

  @Test
  void theKeyAuthMatrixNeverReachesAScorer() throws Exception {
    cli.ok("online-endpoint", "create", "-n", "other-ep");
    String otherKey = cli.ok("online-endpoint", "get-credentials", "-n", "other-ep", "-o", "tsv", "--query",
        "primaryKey");
    String secondary = cli.ok("online-endpoint", "get-credentials", "-n", "dp-ep", "-o", "tsv", "--query",
        "secondaryKey");
    long before = allLogs().lines().filter(l -> l.contains(" - got ")).count();
    for (String auth : new String[] {null, "Basic " + key, "Bearer", "Bearer wrong-key", "bearer " + key,
        "Bearer " + otherKey}) {
      assertThat(score("dp-ep", auth, "twin", "secret").statusCode()).as("auth %s", auth).isEqualTo(401);
    }
    assertThat(allLogs().lines().filter(l -> l.contains(" - got ")).count()).isEqualTo(before);
    assertThat(score("dp-ep", "Bearer " + secondary, "twin", "two").statusCode()).isEqualTo(200);
    cli.ok("online-endpoint", "regenerate-keys", "-n", "dp-ep", "--key-type", "secondary");
    assertThat(score("dp-ep", "Bearer " + secondary, "twin", "old").statusCode()).isEqualTo(401);
    assertThat(score("dp-ep", "Bearer " + key, "twin", "primary still").statusCode()).isEqualTo(200);
    assertThat(node.log()).doesNotContain(key).doesNotContain(secondary);
  }

  @Test
  void amlTokensWorkUntilTheyExpire() throws Exception {
    cli.ok("online-endpoint", "create", "-n", "tok-ep", "--auth-mode", "aml_token");
    cli.ok("online-endpoint", "create", "-n", "tok-two", "--auth-mode", "aml_token");
    cli.ok("online-deployment", "create", "-f", Samples.repo().resolve("examples/java-echo/echo-deployment.yml")
        .toString(), "-e", "tok-ep", "-n", "echo", "--all-traffic");
    JsonNode cred = cli.okJson("online-endpoint", "get-credentials", "-n", "tok-ep");
    String token = cred.path("accessToken").asText();
    long now = System.currentTimeMillis() / 1000;
    assertThat(cred.path("expiryTimeUtc").asLong()).isBetween(now, now + 3);
    assertThat(cred.path("refreshAfterTimeUtc").asLong()).isLessThanOrEqualTo(cred.path("expiryTimeUtc").asLong());
    assertThat(score("tok-ep", "Bearer " + token, null, "{\"t\": 1}").statusCode()).isEqualTo(200);
    assertThat(cli.ok("online-endpoint", "invoke", "-n", "tok-ep", "-r",
        Files.writeString(tmp.resolve("t.json"), "{\"t\": 2}").toString())).isEqualTo("{\"t\": 2}");
    String otherToken = cli.okJson("online-endpoint", "get-credentials", "-n", "tok-two").path("accessToken").asText();
    assertThat(score("tok-ep", "Bearer " + otherToken, null, "{}").statusCode()).isEqualTo(401);
    assertThat(score("tok-ep", "Bearer not.a.jwt", null, "{}").statusCode()).isEqualTo(401);
    assertThat(cli.fails("online-endpoint", "regenerate-keys", "-n", "tok-ep")).contains("does not use keys");
    long expiry = cred.path("expiryTimeUtc").asLong();
    Await.until(() -> System.currentTimeMillis() / 1000 > expiry, Duration.ofSeconds(10), "the token's expiry time");
    assertThat(score("tok-ep", "Bearer " + token, null, "{}").statusCode()).isEqualTo(401);
  }

  @Test
  void theBridgeExampleInvokesFromOutsideTheCluster() throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
        Samples.repo().resolve("examples/bridge-client/InvokeOverBridge.java").toString(), "127.0.0.1",
        String.valueOf(node.bridgePort), "dp-ep", key, "\"over the bus\"", "twin"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(out + new String(p.getErrorStream().readAllBytes())).isZero();
    // run() returns the text it got; json.dumps makes it a JSON string
    assertThat(out.trim()).isEqualTo("twin answered \"\\\"over the bus\\\"\"");
    List<String> wrongKey = new ArrayList<>(cmd);
    wrongKey.set(cmd.size() - 3, "not-the-key");
    Process refused = new ProcessBuilder(wrongKey).start();
    String refusedOut = new String(refused.getInputStream().readAllBytes());
    assertThat(refused.waitFor()).isEqualTo(1);
    assertThat(refusedOut).startsWith("HTTP 401");
  }

  @Test
  void metricsArePrometheusPerEndpointAndDeploymentWithMirrorsLabelled() throws Exception {
    cli.ok("online-endpoint", "update", "-n", "dp-ep", "--mirror-traffic", "twin=50");
    try {
      for (int i = 0; i < 4; i++) {
        assertThat(score(null, "m" + i).statusCode()).isEqualTo(200);
      }
      // mirror copies are not awaited by the client: wait until their answers are counted
      String metrics = Await.until(() -> scoring.get("/metrics").body(), m -> m.contains(
          "sluice_requests_total{deployment=\"twin\",endpoint=\"dp-ep\",mirror=\"true\",status=\"200\"} 2.0"),
          Duration.ofSeconds(10), "both mirror answers counted");
      assertThat(metrics).containsPattern("sluice_requests_total\\{deployment=\"slow\",endpoint=\"dp-ep\",mirror=\"false\",status=\"200\"\\}")
          .containsPattern("sluice_requests_total\\{deployment=\"twin\",endpoint=\"dp-ep\",mirror=\"true\",status=\"200\"\\} [1-9]")
          .contains("sluice_request_duration_seconds_bucket{deployment=\"slow\",endpoint=\"dp-ep\"")
          .contains("sluice_queue_wait_seconds_bucket")
          .contains("sluice_requests_in_flight{deployment=\"slow\",endpoint=\"dp-ep\"}")
          .containsPattern("sluice_instances\\{deployment=\"twin\",endpoint=\"dp-ep\",state=\"Ready\"\\} 2")
          .contains("vertx_http_server_requests_total");
    } finally {
      cli.ok("online-endpoint", "update", "-n", "dp-ep", "--mirror-traffic", "twin=0");
    }
  }

  /**
   * resources.limits on a real node: the worker that grows past the memory limit is killed, its request gets 500,
   * get-logs says "memory limit" with the figure, and the next request is answered by its replacement; the cpu
   * limit's line says whether this machine enforces it.
   */
  @Test
  void aWorkerOverItsMemoryLimitIsKilledAndGetLogsSaysWhy() throws Exception {
    cli.ok("online-deployment", "create", "-f", yaml("capped", """
        resources: {limits: {memory: 150Mi, cpu: 500m}}
        """).toString());
    HttpResponse<String> grown = score("capped", "grow");
    assertThat(grown.statusCode()).as(grown.body()).isEqualTo(500);
    assertThat(grown.body()).contains("resources.limits.memory (150 MiB)");
    String logs = Await.until(() -> cli.ok("online-deployment", "get-logs", "-n", "capped", "-e", "dp-ep"),
        l -> l.contains("memory limit: resident memory"), Duration.ofSeconds(10), "the memory limit in get-logs");
    assertThat(logs).contains("over resources.limits.memory 150 MiB; worker killed")
        .containsPattern("cpu limit: resources.limits.cpu 500m (enforced by a cgroup|is not enforced)");
    assertThat(Await.until(() -> score("capped", "small"), r -> r.statusCode() == 200, Duration.ofSeconds(30),
        "the replaced worker answers").body()).isEqualTo("\"small\"");
    cli.ok("online-deployment", "delete", "-n", "capped", "-e", "dp-ep", "--yes");
  }

  /**
   * A Python deployment scaled 3 -> 1 while requests that take 200 ms keep coming (pinned to it): the drained
   * instances stop their workers only after every router acknowledged and their last request answered, so none fails.
   */
  @Test
  void aScaleDownOfSlowPythonRequestsFailsNone() throws Exception {
    cli.ok("online-deployment", "create", "-f", yaml("drain", "").toString(), "--set", "instance_count=3");
    LoadGenerator.Settings settings = new LoadGenerator.Settings(URI.create(node.url() + "/endpoints/dp-ep/score"),
        java.util.Map.of("Authorization", "Bearer " + key, "azureml-model-deployment", "drain"),
        io.vertx.core.buffer.Buffer.buffer("sleep0.2"), 2, 1_000_000, 6_000);
    CompletableFuture<LoadGenerator.Report> running = CompletableFuture.supplyAsync(() -> {
      try {
        return LoadGenerator.run(settings);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    Await.until(() -> inFlight("drain") > 0, Duration.ofSeconds(10), "requests in flight");
    cli.ok("online-deployment", "update", "-n", "drain", "-e", "dp-ep", "--set", "instance_count=1");
    LoadGenerator.Report r = running.get(60, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(r.failed()).as("%s%s", r.summary(), node.warnings(20)).isZero();
    Await.until(() -> cli.okJson("online-deployment", "show", "-n", "drain", "-e", "dp-ep", "--query",
        "instances").size() == 1, Duration.ofSeconds(30), "one instance left");
    cli.ok("online-deployment", "delete", "-n", "drain", "-e", "dp-ep", "--yes");
  }
}
