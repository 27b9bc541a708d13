package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * request_settings.max_batch_size on a real node with real Python: refused at create without run_batch, waiting
 * requests answered one by one from one run_batch() call, pinned and split requests in one batch, a batch's
 * exception as Azure's 424 for each, a drain while a batch runs, show and the sluice_batch_size metric.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchingTest {
  @TempDir
  static Path tmp;
  NodeProcess node;
  Cli cli;
  Scoring scoring;
  String key;
  final ExecutorService clients = Executors.newFixedThreadPool(24);

  /** "gateN": the batch holding it sleeps N s first, so the requests sent meanwhile wait and form the next batch. */
  static final String SCRIPT = """
      import logging, time
      def init():
          pass
      def run(d):
          return "single " + d
      def run_batch(items):
          logging.info("batch of %d: %s", len(items), ",".join(items))
          for i in items:
              if i.startswith("gate"):
                  time.sleep(float(i[4:]))
          if "boom" in items:
              raise ValueError("this batch cannot be scored")
          return [i.upper() for i in items]
      """;

  Path yaml(String name, String script, String settings) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("d-" + name));
    Files.createDirectories(dir.resolve("code"));
    Files.writeString(dir.resolve("code/score.py"), script);
    return Files.writeString(dir.resolve("d.yml"), """
        name: %s
        endpoint_name: batch-ep
        code_configuration: {code: code, scoring_script: score.py}
        environment: {image: any}
        instance_type: Standard_DS3_v2
        instance_count: 1
        request_settings: %s
        """.formatted(name, settings));
  }

  @BeforeAll
  void start() throws Exception {
    node = new NodeProcess(tmp.resolve("home"), "batch-" + UUID.randomUUID()).start();
    scoring = new Scoring(node);
    cli = new Cli(node.home);
    cli.ok("online-endpoint", "create", "-n", "batch-ep");
    cli.ok("online-deployment", "create", "-f", yaml("blue", SCRIPT,
        "{max_batch_size: 8, max_batch_wait_ms: 50, max_queue_wait_ms: 10000}").toString(), "--all-traffic");
    key = cli.ok("online-endpoint", "get-credentials", "-n", "batch-ep", "-o", "tsv", "--query", "primaryKey");
  }

  @AfterAll
  void stop() throws Exception {
    clients.shutdownNow();
    node.stop();
  }

  CompletableFuture<HttpResponse<String>> send(String body, String pin, String... headers) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return scoring.score("batch-ep", "Bearer " + key, pin, body, headers);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, clients);
  }

  String logs() throws Exception {
    StringBuilder sb = new StringBuilder();
    try (Stream<Path> files = Files.walk(node.home.resolve("nodes"))) {
      for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".log"))::iterator) {
        sb.append(Files.readString(p));
      }
    }
    return sb.toString();
  }

  /** The items of each "batch of N" line logged so far. */
  List<List<String>> batches() throws Exception {
    List<List<String>> out = new ArrayList<>();
    Matcher m = Pattern.compile("batch of \\d+: ([^\\s]+)").matcher(logs());
    while (m.find()) {
      out.add(List.of(m.group(1).split(",")));
    }
    return out;
  }

  /** Sends a gate, waits until its batch runs, then sends {@code bodies} (they wait behind it). */
  List<CompletableFuture<HttpResponse<String>>> behindAGate(String gate, String deployment, List<String> bodies,
                                                             List<String> pins) throws Exception {
    int before = batches().size();
    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    sent.add(send(gate, deployment));
    Await.until(() -> batches().size() > before, Duration.ofSeconds(30), "the gate's batch running");
    for (int i = 0; i < bodies.size(); i++) {
      sent.add(send(bodies.get(i), pins.get(i)));
    }
    return sent;
  }

  @Test
  void aScriptWithoutRunBatchIsRefusedAtCreateNamingItAndNothingIsCreated() throws Exception {
    String err = cli.fails("online-deployment", "create", "-f", yaml("plain",
        "def init():\n    pass\ndef run(d):\n    return d\n", "{max_batch_size: 4}").toString());
    assertThat(err).contains("request_settings.max_batch_size").contains("run_batch(raw_data_list)");
    assertThat(cli.fails("online-deployment", "show", "-e", "batch-ep", "-n", "plain")).contains("plain");
    String wait = cli.fails("online-deployment", "create", "-f", yaml("late", SCRIPT,
        "{max_batch_size: 4, max_batch_wait_ms: 5000}").toString());
    assertThat(wait).contains("request_settings.max_batch_wait_ms");
  }

  @Test
  void waitingRequestsOfPinnedAndSplitClientsRunAsOneBatchEachWithItsOwnAnswer() throws Exception {
    List<String> bodies = List.of("p0", "s0", "p1", "s1", "p2", "s2", "p3", "s3");
    List<String> pins = new ArrayList<>();
    bodies.forEach(b -> pins.add(b.startsWith("p") ? "blue" : null));
    List<CompletableFuture<HttpResponse<String>>> sent = behindAGate("gate1.5", null, bodies, pins);
    for (int i = 0; i < sent.size(); i++) {
      HttpResponse<String> r = sent.get(i).get(60, TimeUnit.SECONDS);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      String body = i == 0 ? "gate1.5" : bodies.get(i - 1);
      assertThat(r.body()).isEqualTo("\"" + body.toUpperCase() + "\"");
      assertThat(r.headers().firstValue("azureml-model-deployment")).contains("blue");
    }
    // the eight waited behind the gate and went to run_batch together, pinned and split alike
    Await.until(() -> batches().stream().anyMatch(b -> b.size() == 8), Duration.ofSeconds(30), "the batch's log");
    List<String> eight = batches().stream().filter(b -> b.size() == 8).findFirst().orElseThrow();
    assertThat(eight).containsExactlyInAnyOrderElementsOf(bodies);

    JsonNode show = cli.okJson("online-deployment", "show", "-e", "batch-ep", "-n", "blue");
    assertThat(show.at("/request_settings/max_batch_size").asInt()).isEqualTo(8);
    assertThat(show.at("/request_settings/max_batch_wait_ms").asInt()).isEqualTo(50);
    String metrics = scoring.get("/metrics").body();
    Matcher count = Pattern.compile("sluice_batch_size_count\\{[^}]*deployment=\"blue\"[^}]*\\} ([0-9.]+)")
        .matcher(metrics);
    assertThat(count.find()).as("sluice_batch_size for blue in /metrics").isTrue();
    assertThat(Double.parseDouble(count.group(1))).isGreaterThanOrEqualTo(2);
    Matcher max = Pattern.compile("sluice_batch_size_max\\{[^}]*deployment=\"blue\"[^}]*\\} ([0-9.]+)")
        .matcher(metrics);
    assertThat(max.find() && Double.parseDouble(max.group(1)) >= 8).as(metrics).isTrue();
  }

  @Test
  void anExceptionFromRunBatchIsAzures424ForEveryRequestOfTheBatch() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> sent = behindAGate("gate1.0", null, List.of("x1", "boom", "x2"),
        java.util.Arrays.asList(null, null, null));
    assertThat(sent.get(0).get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    for (CompletableFuture<HttpResponse<String>> f : sent.subList(1, 4)) {
      HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(424);
      assertThat(r.headers().firstValue("ms-azureml-model-error-statuscode")).contains("500");
    }
    Await.until(() -> logs().contains("this batch cannot be scored"), Duration.ofSeconds(30), "the traceback");
    assertThat(Pattern.compile("Encountered Exception in run_batch").matcher(logs()).results().count())
        .as("the traceback is logged once for the batch").isEqualTo(1);
  }

  @Test
  void scalingDownWhileBatchesRunAnswersEveryRequest() throws Exception {
    cli.ok("online-deployment", "create", "-f", yaml("drain", SCRIPT,
        "{max_batch_size: 8, max_batch_wait_ms: 20, max_queue_wait_ms: 10000}").toString(),
        "--set", "instance_count=2");
    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    int before = batches().size();
    sent.add(send("gate2.0", "drain"));
    sent.add(send("gate2.0", "drain"));
    Await.until(() -> batches().size() >= before + 2, Duration.ofSeconds(30), "a batch running on each instance");
    for (int i = 0; i < 10; i++) {
      sent.add(send("d" + i, "drain"));
    }
    cli.ok("online-deployment", "update", "-e", "batch-ep", "-n", "drain", "--set", "instance_count=1");
    for (CompletableFuture<HttpResponse<String>> f : sent) {
      HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
    Await.until(() -> cli.okJson("online-deployment", "show", "-e", "batch-ep", "-n", "drain")
        .path("instances").size() == 1, Duration.ofSeconds(60), "one instance left");
  }
}
