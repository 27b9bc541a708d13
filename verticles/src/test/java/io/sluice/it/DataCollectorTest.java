package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Azure's data-collector samples on a real node, unchanged (the endpoint named on the command line: the samples'
 * my_endpoint is not a valid name, on Azure either): the payload sample writes every request and its response in
 * Azure's layout and fields, read back with get-collected-data; the custom-logging sample's score.py collects its
 * DataFrames through azureml.ai.monitoring with the input and output correlated; a folder that cannot be written
 * drops records and serves every request; a bad data_collector is refused naming the field, and nothing is made.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DataCollectorTest {
  @TempDir
  static Path tmp;
  static final Path SAMPLES = Path.of("src/test/resources/azureml-data-collector").toAbsolutePath();
  static final String INPUT = "{\"data\": {\"col1\": [1, 2, 3], \"col2\": [2, 3, 4]}}";
  NodeProcess node;
  Cli cli;
  Scoring scoring;
  String key;

  @BeforeAll
  void start() throws Exception {
    node = new NodeProcess(tmp.resolve("home"), "dc-" + UUID.randomUUID()).start();
    cli = new Cli(node.home);
    scoring = new Scoring(node);
    cli.ok("model", "create", "--name", "iris_mlflow_model", "--version", "1", "--path", SAMPLES.resolve("model")
        .toString());
    cli.ok("online-endpoint", "create", "-n", "dc-ep");
    key = cli.ok("online-endpoint", "get-credentials", "-n", "dc-ep", "-o", "tsv", "--query", "primaryKey");
  }

  @AfterAll
  void stop() throws Exception {
    node.stop();
  }

  /** Every line of every file under {@code folder}, as JSON. */
  private static List<JsonNode> records(Path folder) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    if (!Files.isDirectory(folder)) {
      return out;
    }
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).toList()) {
        for (String line : Files.readAllLines(f)) {
          out.add(Cli.JSON.readTree(line));
        }
      }
    }
    return out;
  }

  /** A Java echo deployment of dc-ep with this data_collector (YAML lines indented under it). */
  private static Path echo(String name, String dataCollector) throws Exception {
    return Files.writeString(tmp.resolve(name + ".yml"), """
        name: %s
        endpoint_name: dc-ep
        code_configuration: {code: %s, scoring_script: io.sluice.scorer.examples.EchoScorer}
        environment: {image: sluice/java}
        instance_type: Standard_DS3_v2
        instance_count: 1
        data_collector:
        """.formatted(name, Samples.repo().resolve("examples/java-echo/code")) + dataCollector);
  }

  private Path collected(String deployment, String collection) {
    return node.home.resolve("collected/dc-ep").resolve(deployment).resolve(collection);
  }

  @Test
  @Order(1)
  void thePayloadSampleCollectsEveryRequestAndItsResponseInAzuresLayout() throws Exception {
    cli.ok("online-deployment", "create", "-f", SAMPLES.resolve("workspace-blob-storage-payload1.YAML").toString(),
        "-e", "dc-ep", "--all-traffic");
    for (int i = 0; i < 20; i++) {
      assertThat(scoring.score("dc-ep", "Bearer " + key, null, INPUT, "x-request-id", "dc-" + i).statusCode())
          .isEqualTo(200);
    }
    List<JsonNode> requests = Await.until(() -> records(collected("blue", "request")), r -> r.size() == 20,
        Duration.ofSeconds(10), "20 requests collected");
    Path file;
    try (Stream<Path> files = Files.walk(collected("blue", "request"))) {
      file = files.filter(p -> p.toString().endsWith(".jsonl")).findFirst().orElseThrow();
    }
    assertThat(collected("blue", "request").relativize(file).toString())
        .matches("\\d{4}/\\d{2}/\\d{2}/\\d{2}/blue-[0-9a-f]+\\.jsonl");
    JsonNode first = requests.stream().filter(r -> r.path("xrequestid").asText().equals("dc-0")).findFirst()
        .orElseThrow();
    for (String field : List.of("specversion", "id", "source", "type", "time", "datacontenttype", "data",
        "correlationid", "xrequestid", "contentrange")) {
      assertThat(first.has(field)).as(field).isTrue();
    }
    assertThat(first.path("type").asText()).isEqualTo("azureml.inference.request");
    assertThat(first.path("data").path("data").path("col2").get(2).asInt()).isEqualTo(4);
    List<JsonNode> responses = Await.until(() -> records(collected("blue", "response")), r -> r.size() == 20,
        Duration.ofSeconds(10), "20 responses collected");
    JsonNode answer = responses.stream().filter(r -> r.path("correlationid").asText().equals("dc-0")).findFirst()
        .orElseThrow();
    assertThat(answer.path("statuscode").asInt()).isEqualTo(200);
    assertThat(answer.path("data").path("total").path("2").asInt()).isEqualTo(7);

    // read back through the CLI: JSON lines, newest first, from every node
    String lines = cli.ok("online-deployment", "get-collected-data", "-n", "blue", "-e", "dc-ep", "--collection",
        "request", "--since", "1h", "--limit", "5");
    List<JsonNode> back = new ArrayList<>();
    for (String l : lines.strip().split("\n")) {
      back.add(Cli.JSON.readTree(l));
    }
    assertThat(back).hasSize(5);
    for (int i = 1; i < back.size(); i++) {
      assertThat(back.get(i - 1).path("time").asText()).isGreaterThanOrEqualTo(back.get(i).path("time").asText());
    }
    assertThat(cli.okJson("online-deployment", "get-collected-data", "-n", "blue", "-e", "dc-ep", "--collection",
        "response", "-o", "json", "--query", "length(@)").asInt()).isEqualTo(20);
    assertThat(cli.fails("online-deployment", "get-collected-data", "-n", "blue", "-e", "dc-ep", "--collection",
        "model_inputs")).contains("collection: 'model_inputs' is not a collection of deployment 'blue' "
        + "(collections: [request, response])");
    assertThat(cli.fails("online-deployment", "get-collected-data", "-n", "blue", "-e", "dc-ep", "--collection",
        "request", "--since", "yesterday")).contains("since: a duration back from now");
    assertThat(scoring.admin("/api/endpoints/dc-ep/deployments/blue/collected?collection=request", null).statusCode())
        .isEqualTo(401);
  }

  @Test
  @Order(2)
  void theCustomLoggingSampleCollectsItsDataFramesCorrelatedByRequest() throws Exception {
    cli.ok("online-deployment", "create", "-f", SAMPLES.resolve("workspace-blob-storage-custom1.YAML").toString(),
        "-e", "dc-ep", "-n", "green");
    for (int i = 0; i < 5; i++) {
      assertThat(scoring.score("dc-ep", "Bearer " + key, "green", INPUT, "x-request-id", "custom-" + i).statusCode())
          .isEqualTo(200);
    }
    List<JsonNode> inputs = Await.until(() -> records(collected("green", "model_inputs")), r -> r.size() == 5,
        Duration.ofSeconds(15), "5 model inputs collected");
    List<JsonNode> outputs = Await.until(() -> records(collected("green", "model_outputs")), r -> r.size() == 5,
        Duration.ofSeconds(15), "5 model outputs collected");
    JsonNode in = inputs.stream().filter(r -> r.path("xrequestid").asText().equals("custom-3")).findFirst()
        .orElseThrow();
    assertThat(in.path("type").asText()).isEqualTo("azureml.inference.model_inputs");
    assertThat(in.path("data").get(1).path("col1").asInt()).isEqualTo(2);
    JsonNode out = outputs.stream().filter(r -> r.path("correlationid").asText().equals(in.path("correlationid")
        .asText())).findFirst().orElseThrow();
    assertThat(in.path("correlationid").asText()).as("the request id ties input and output").isEqualTo("custom-3");
    assertThat(out.path("data").get(2).path("total").asInt()).isEqualTo(7);
    assertThat(records(collected("green", "request"))).as("payloads are not on in this sample").isEmpty();
  }

  @Test
  @Order(3)
  void aFolderThatCannotBeWrittenDropsRecordsAndServesEveryRequest() throws Exception {
    Path blocker = Files.writeString(tmp.resolve("a-file"), "not a folder");
    Path yml = echo("readonly", """
          collections:
            request: {enabled: 'True', data: {path: %s}}
            response: {enabled: 'True', data: {path: 'file://%s'}}
        """.formatted(blocker.resolve("request"), blocker.resolve("response")));
    cli.ok("online-deployment", "create", "-f", yml.toString());
    for (int i = 0; i < 30; i++) {
      assertThat(scoring.score("dc-ep", "Bearer " + key, "readonly", "{\"x\": " + i + "}").statusCode()).isEqualTo(200);
    }
    java.util.regex.Pattern dropped = java.util.regex.Pattern.compile(
        "sluice_collected_dropped_total\\{[^}]*collection=\"request\",deployment=\"readonly\"[^}]*} (\\S+)");
    String[] metrics = {""};
    try {
      Await.until(() -> {
        metrics[0] = scoring.get("/metrics").body();
        java.util.regex.Matcher m = dropped.matcher(metrics[0]);
        return m.find() && Double.parseDouble(m.group(1)) >= 30;
      }, Duration.ofSeconds(10), "30 request records counted as dropped");
    } catch (RuntimeException e) {
      throw new AssertionError("sluice_collected in /metrics: " + metrics[0].lines()
          .filter(l -> l.contains("collected")).toList(), e);
    }
  }

  /** The first value of a sluice_collected_dropped_total series in /metrics, 0 when it is not there. */
  private double droppedMetric(String deployment, String collection) throws Exception {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("sluice_collected_dropped_total\\{[^}]*collection=\""
        + collection + "\",deployment=\"" + deployment + "\"[^}]*} (\\S+)").matcher(scoring.get("/metrics").body());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  @Test
  @Order(4)
  void theScriptsCollectorCountsWhatItCannotWrite() throws Exception {
    Path blocker = Files.writeString(tmp.resolve("not-a-folder"), "a file");
    cli.ok("online-deployment", "create", "-f", SAMPLES.resolve("workspace-blob-storage-custom1.YAML").toString(),
        "-e", "dc-ep", "-n", "pyro", "--set", "data_collector.collections.model_inputs.data.path=" + blocker
            + "/in", "data_collector.collections.model_outputs.data.path=" + blocker + "/out");
    for (int i = 0; i < 5; i++) {
      assertThat(scoring.score("dc-ep", "Bearer " + key, "pyro", INPUT).statusCode()).isEqualTo(200);
    }
    // the worker reports its drops on its next reply: each look scores once more, and is served
    Await.until(() -> scoring.score("dc-ep", "Bearer " + key, "pyro", INPUT).statusCode() == 200
        && droppedMetric("pyro", "model_inputs") >= 5 && droppedMetric("pyro", "model_outputs") >= 5,
        Duration.ofSeconds(30), "the script's dropped inputs and outputs counted");
    assertThat(droppedMetric("pyro", "request")).as("no series for collections that are not on").isZero();
  }

  @Test
  @Order(5)
  void aBadDataCollectorIsRefusedNamingTheFieldAndNothingIsMade() throws Exception {
    Path yml = echo("bad", """
          collections: {request: {enabled: 'True'}}
          sampling_rate: 2
        """);
    assertThat(cli.fails("online-deployment", "create", "-f", yml.toString()))
        .contains("data_collector.sampling_rate: a number from 0 to 1");
    assertThat(cli.fails("online-deployment", "show", "-n", "bad", "-e", "dc-ep")).contains("not found");
  }
}
