package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.grpc.common.GrpcStatus;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streamed answers, and every door a client may take, against a rollout in progress: two real nodes (each
 * deployment's one instance lives on one of them, so one node's router reaches it in its own JVM and the other's
 * over the scoring channel), real Python scripts whose run() returns a generator. Server-sent events
 * and chunked bodies arrive item by item through either node; a stream that breaks ends with an error event or an
 * aborted body; a client that goes away stops the script; and while a rollout mirrors and then splits, SSE, the
 * Open Inference Protocol's REST and its gRPC all see the mirror, the split and the pins.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StreamTest {
  @TempDir
  static Path tmp;
  final List<NodeProcess> nodes = new ArrayList<>();
  Cli cli;
  String key;
  OipGrpcClient grpc;
  int grpcPort;
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /**
   * OIP requests are answered per request, or per row when {@code parameters.stream} is set; other bodies stream
   * {"i": n} items ({@code count}, failing at {@code fail_after}), or tick until their client goes away
   * ({@code endless}: the file the generator's end writes).
   */
  static final String SCRIPT = """
      import json, os, time
      import sluice_oip
      def init():
          pass
      def run(raw_data):
          req = json.loads(raw_data)
          factor = float(os.environ["FACTOR"])
          if "inputs" in req:
              x = sluice_oip.inputs(raw_data)["input-0"]
              if req.get("parameters", {}).get("stream"):
                  return (sluice_oip.response({"output-0": x[i:i + 1].sum(axis=1) * factor}, request=req)
                          for i in range(len(x)))
              return sluice_oip.response({"output-0": x.sum(axis=1) * factor}, request=req)
          if "endless" in req:
              def endless():
                  try:
                      while True:
                          yield {"tick": 1}
                          time.sleep(0.01)
                  finally:
                      with open(req["endless"], "w") as f:
                          f.write("closed")
              return endless()
          def count():
              for i in range(req["count"]):
                  if i == req.get("fail_after", -1):
                      raise ValueError("failed at item %d" % i)
                  yield {"i": i}
          return count()
      """;

  Path deployment(String name, int factor, String more) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("d-" + name + "/code"));
    Files.writeString(dir.resolve("score.py"), SCRIPT);
    return Files.writeString(dir.getParent().resolve("d.yml"), """
        name: %s
        endpoint_name: stream-ep
        code_configuration: {code: code, scoring_script: score.py}
        environment: {image: any}
        environment_variables: {FACTOR: '%d'}
        instance_type: Standard_DS3_v2
        instance_count: 1
        request_settings: {request_timeout_ms: 60000}
        """.formatted(name, factor) + more);
  }

  @BeforeAll
  void start() throws Exception {
    Path home = tmp.resolve("home");
    String cluster = "stream-" + UUID.randomUUID();
    grpcPort = NodeProcess.freePort();
    nodes.add(new NodeProcess(home, cluster).with("--grpc-port", String.valueOf(grpcPort)).start());
    nodes.add(new NodeProcess(home, cluster).start());
    grpc = new OipGrpcClient(grpcPort);
    cli = new Cli(home, nodes.get(0).url());
    cli.ok("online-endpoint", "create", "-n", "stream-ep");
    cli.ok("online-deployment", "create", "-f", deployment("blue", 1, """
        data_collector:
          collections: {request: {enabled: 'True'}, response: {enabled: 'True'}}
        """).toString(), "--all-traffic");
    cli.ok("online-deployment", "create", "-f", deployment("green", 10, "").toString());
    key = cli.ok("online-endpoint", "get-credentials", "-n", "stream-ep", "-o", "tsv", "--query", "primaryKey");
  }

  @AfterAll
  void stop() throws Exception {
    grpc.close();
    for (NodeProcess n : nodes) {
      n.stop();
    }
  }

  HttpRequest.Builder post(NodeProcess node, String path, String body, String pin) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.url() + path)).timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (pin != null) {
      b.header("azureml-model-deployment", pin);
    }
    return b;
  }

  /** A whole SSE response: its status, its deployment, and its events as "name: data" ("message" unnamed). */
  record Events(int status, String deployment, String type, List<String> events) {
  }

  Events sse(NodeProcess node, String path, String body, String pin) throws Exception {
    HttpResponse<InputStream> r = HTTP.send(post(node, path, body, pin).header("Accept", "text/event-stream")
        .build(), HttpResponse.BodyHandlers.ofInputStream());
    List<String> events = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      String name = "message";
      StringBuilder data = new StringBuilder();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.isEmpty()) {
          events.add(name + ": " + data);
          name = "message";
          data.setLength(0);
        } else if (line.startsWith("event: ")) {
          name = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data.append(data.length() == 0 ? "" : "\n").append(line.substring(6));
        }
      }
    }
    return new Events(r.statusCode(), r.headers().firstValue("azureml-model-deployment").orElse(""),
        r.headers().firstValue("content-type").orElse(""), events);
  }

  @Test
  @Order(1)
  void aGeneratorStreamsAsServerSentEventsOrChunksThroughEitherNode() throws Exception {
    for (NodeProcess node : nodes) {
      for (String pin : new String[] {"blue", "green"}) {
        Events e = sse(node, "/endpoints/stream-ep/score", "{\"count\": 3}", pin);
        assertThat(e.status()).isEqualTo(200);
        assertThat(e.deployment()).isEqualTo(pin);
        assertThat(e.type()).as(e.toString()).isEqualTo("text/event-stream");
        assertThat(e.events()).containsExactly("message: {\"i\": 0}", "message: {\"i\": 1}", "message: {\"i\": 2}");
      }
      HttpResponse<String> chunked = HTTP.send(post(node, "/endpoints/stream-ep/score", "{\"count\": 3}", "green")
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(chunked.statusCode()).isEqualTo(200);
      assertThat(chunked.headers().firstValue("content-type")).hasValue("application/x-ndjson");
      assertThat(chunked.headers().firstValue("transfer-encoding")).hasValue("chunked");
      assertThat(chunked.body()).isEqualTo("{\"i\": 0}\n{\"i\": 1}\n{\"i\": 2}\n");
    }
    // blue collects what it serves: a stream's response is recorded whole once its end was pulled
    Await.until(() -> collectedResponses().stream().anyMatch(d -> d.contains("{\"i\": 0}\n{\"i\": 1}\n{\"i\": 2}")),
        Duration.ofSeconds(20), "a streamed response collected whole");
    // a stream's latency is its time to the first chunk
    assertThat(nodes.get(0).metric("sluice_time_to_first_byte_seconds_count")).isGreaterThan(0);
  }

  /** The data of every response blue collected (both nodes share the home, so the folder is one). */
  List<String> collectedResponses() throws Exception {
    Path folder = nodes.get(0).home.resolve("collected/stream-ep/blue/response");
    List<String> out = new ArrayList<>();
    if (!Files.isDirectory(folder)) {
      return out;
    }
    try (var files = Files.walk(folder)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).toList()) {
        for (String line : Files.readAllLines(f)) {
          JsonNode data = Cli.JSON.readTree(line).path("data");
          out.add(data.isTextual() ? data.asText() : data.toString());
        }
      }
    }
    return out;
  }

  @Test
  @Order(2)
  void aStreamThatBreaksEndsWithAnErrorEventOrAnAbortedBody() throws Exception {
    for (NodeProcess node : nodes) {
      Events e = sse(node, "/endpoints/stream-ep/score", "{\"count\": 3, \"fail_after\": 1}", "blue");
      assertThat(e.status()).isEqualTo(200);
      assertThat(e.events()).hasSize(2);
      assertThat(e.events().get(0)).isEqualTo("message: {\"i\": 0}");
      assertThat(e.events().get(1)).startsWith("error: {\"message\":")
          .contains("run() raised after the stream began: ValueError: failed at item 1");
      assertThatThrownBy(() -> HTTP.send(post(node, "/endpoints/stream-ep/score", "{\"count\": 3, \"fail_after\": 1}",
          "blue").build(), HttpResponse.BodyHandlers.ofString())).as("a chunked body cut before its end")
          .isInstanceOf(java.io.IOException.class);
    }
    // counted as server faults, once each
    assertThat(nodes.get(0).metric("sluice_requests_total{deployment=\"blue\",endpoint=\"stream-ep\",mirror=\"false\","
        + "status=\"500\"}")).isEqualTo(2.0);
  }

  @Test
  @Order(3)
  void aClientThatGoesAwayStopsTheScript() throws Exception {
    int n = 0;
    for (NodeProcess node : nodes) {
      Path closed = tmp.resolve("closed-" + n++);
      HttpResponse<InputStream> r = HTTP.send(post(node, "/endpoints/stream-ep/score", "{\"endless\": \""
          + closed + "\"}", "blue").header("Accept", "text/event-stream").build(),
          HttpResponse.BodyHandlers.ofInputStream());
      BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
      for (int i = 0; i < 6; i++) {
        assertThat(in.readLine()).isIn("data: {\"tick\": 1}", "");
      }
      in.close();
      // the gap deadline (request_timeout_ms) is a minute: only the cancel closes the generator this soon
      Await.until(() -> Files.exists(closed), Duration.ofSeconds(20), "the generator closed");
      HttpResponse<String> next = HTTP.send(post(node, "/endpoints/stream-ep/score", "{\"count\": 1}", "blue")
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(next.statusCode()).as("the worker is free again").isEqualTo(200);
    }
  }

  static final String IRIS = """
      {"id": "iris-1", "inputs": [{"name": "input-0", "shape": [2, 4], "datatype": "FP32",
       "data": [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]}]%s}""";

  static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

  /**
   * Whether Debian's python3-grpcio is there (scripts/test.sh installs it). Without it the Python client's part is
   * left out, except under CI, where its absence fails the test.
   */
  boolean pythonGrpc() throws Exception {
    boolean there = new ProcessBuilder(PYTHON, "-c", "import grpc, google.protobuf").start().waitFor() == 0;
    assertThat(there || !"true".equals(System.getenv("CI"))).as("python3-grpcio under CI").isTrue();
    return there;
  }

  /** One ModelInfer from the Python client (src/test/resources/oip_grpc_client.py): its JSON line. */
  JsonNode python(String key, String version) throws Exception {
    Path script = Path.of(StreamTest.class.getResource("/oip_grpc_client.py").toURI());
    Path descriptors = Path.of("target/generated-resources/protobuf/descriptor-sets/grpc_predict_v2.desc");
    Process p = new ProcessBuilder(PYTHON, script.toString(), String.valueOf(grpcPort), descriptors.toString(), key,
        "stream-ep", version).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    return Cli.JSON.readTree(out.lines().reduce((a, b) -> b).orElse("{}"));
  }

  JsonNode mirrorOfGreen() {
    for (JsonNode m : cli.okJson("online-endpoint", "mirror-report", "-n", "stream-ep").path("mirrors")) {
      if (m.path("deployment").asText().equals("green")) {
        return m;
      }
    }
    return Cli.JSON.createObjectNode();
  }

  @Test
  @Order(4)
  void sseRestAndGrpcClientsAllWorkAgainstARolloutInProgress() throws Exception {
    // a rollout that mirrors half of live to green first: it holds there (its window is ten minutes)
    cli.ok("online-endpoint", "rollout", "start", "-n", "stream-ep", "--deployment", "green", "--mirror-first", "50",
        "--steps", "50 100", "--interval", "10m", "--no-wait");
    Await.until(() -> cli.okJson("online-endpoint", "show", "-n", "stream-ep", "--query", "mirror_traffic")
        .path("green").asInt() == 50, Duration.ofSeconds(20), "the mirror step");
    long comparedBefore = mirrorOfGreen().path("compared").asLong();
    for (int i = 0; i < 30; i++) {
      Events e = sse(nodes.get(i % 2), "/endpoints/stream-ep/score", "{\"count\": 3}", null);
      assertThat(e.deployment()).as("live stays on blue").isEqualTo("blue");
      assertThat(e.events()).hasSize(3);
    }
    JsonNode mirror = Await.until(this::mirrorOfGreen, m -> m.path("compared").asLong() >= comparedBefore + 5,
        Duration.ofSeconds(20), "streamed answers compared with their mirrors");
    assertThat(mirror.path("agreed").asLong()).as("the same items from both: compared whole, they agree")
        .isEqualTo(mirror.path("compared").asLong());
    assertThat(sse(nodes.get(1), "/endpoints/stream-ep/score", "{\"count\": 2}", "green").deployment())
        .as("the pin reaches the rollout's target").isEqualTo("green");
    // the Open Inference Protocol, streamed per row over SSE, whole over REST and gRPC
    Events rows = sse(nodes.get(0), "/v2/models/stream-ep/infer",
        IRIS.formatted(", \"parameters\": {\"stream\": true}"), null);
    assertThat(rows.events()).hasSize(2);
    JsonNode second = Cli.JSON.readTree(rows.events().get(1).substring("message: ".length()));
    assertThat(second.path("model_version").asText()).isEqualTo("blue");
    assertThat(second.path("outputs").get(0).path("data").get(0).asDouble()).isCloseTo(15.5,
        org.assertj.core.data.Offset.offset(1e-4));
    assertThat(sse(nodes.get(1), "/v2/models/stream-ep/versions/green/infer", IRIS.formatted(
        ", \"parameters\": {\"stream\": true}"), null).events().get(0)).contains("\"model_version\": \"green\"");
    HttpResponse<String> rest = HTTP.send(post(nodes.get(1), "/v2/models/stream-ep/infer", IRIS.formatted(""), null)
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(Cli.JSON.readTree(rest.body()).path("model_version").asText()).isEqualTo("blue");
    var live = grpc.infer(key, OipGrpcClient.iris("stream-ep", ""));
    assertThat(live.status()).as(live.message()).isEqualTo(GrpcStatus.OK);
    assertThat(live.result().getModelVersion()).isEqualTo("blue");
    assertThat(grpc.infer(key, OipGrpcClient.iris("stream-ep", "green")).result().getModelVersion())
        .isEqualTo("green");
    if (pythonGrpc()) { // the same from Python's grpcio, as a KServe or Triton user would call it
      JsonNode py = python(key, "");
      assertThat(py.path("status").asText()).as(py.toString()).isEqualTo("OK");
      assertThat(py.path("model_version").asText()).isEqualTo("blue");
      assertThat(py.path("output").get(0).asDouble()).isCloseTo(15.8, org.assertj.core.data.Offset.offset(1e-4));
      assertThat(python(key, "green").path("model_version").asText()).isEqualTo("green");
      assertThat(python("not-the-key", "").path("status").asText()).isEqualTo("UNAUTHENTICATED");
    }
    cli.ok("online-endpoint", "rollout", "abort", "-n", "stream-ep");

    // a rollout at its first live step: half the traffic on green, through every door
    cli.ok("online-endpoint", "rollout", "start", "-n", "stream-ep", "--deployment", "green", "--steps", "50 100",
        "--interval", "10m", "--no-wait");
    Await.until(() -> cli.okJson("online-endpoint", "show", "-n", "stream-ep", "--query", "traffic").path("green")
        .asInt() == 50, Duration.ofSeconds(20), "the 50 % step");
    // each door, unpinned, reaches both deployments (the routers learn the step a moment after the store has it;
    // one door at a time: a router's split alternates, so doors taken in a fixed round could each see one side)
    Set<String> overSse = new HashSet<>();
    Set<String> overRest = new HashSet<>();
    Set<String> overGrpc = new HashSet<>();
    int[] i = {0};
    Await.until(() -> overSse.add(sse(nodes.get(i[0]++ % 2), "/endpoints/stream-ep/score", "{\"count\": 1}", null)
        .deployment()) && overSse.size() == 2, Duration.ofSeconds(20), "SSE reaching blue and green");
    Await.until(() -> overRest.add(Cli.JSON.readTree(HTTP.send(post(nodes.get(i[0]++ % 2),
        "/v2/models/stream-ep/infer", IRIS.formatted(""), null).build(), HttpResponse.BodyHandlers.ofString()).body())
        .path("model_version").asText()) && overRest.size() == 2, Duration.ofSeconds(20), "REST reaching both");
    Await.until(() -> overGrpc.add(grpc.infer(key, OipGrpcClient.iris("stream-ep", "")).result().getModelVersion())
        && overGrpc.size() == 2, Duration.ofSeconds(20), "gRPC reaching both");
    if (pythonGrpc()) {
      Set<String> overPython = new HashSet<>();
      Await.until(() -> overPython.add(python(key, "").path("model_version").asText()) && overPython.size() == 2,
          Duration.ofSeconds(30), "Python's gRPC client reaching both");
    }
    assertThat(overSse).containsExactlyInAnyOrder("blue", "green");
    assertThat(overRest).containsExactlyInAnyOrder("blue", "green");
    assertThat(overGrpc).containsExactlyInAnyOrder("blue", "green");
    assertThat(sse(nodes.get(0), "/endpoints/stream-ep/score", "{\"count\": 1}", "blue").deployment())
        .isEqualTo("blue");
    cli.ok("online-endpoint", "rollout", "abort", "-n", "stream-ep");
  }
}
