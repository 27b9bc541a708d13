package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Azure safe-rollout walkthrough (shared/seed), command for command with {@code az ml} replaced by the
 * Sluice CLI, against a real node process running real Python scorers; on the project's own examples and on
 * Azure's sample files, with all three YAML variants.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WalkthroughTest {
  @TempDir
  static Path tmp;
  NodeProcess node;
  Cli cli;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void startNode() throws Exception {
    node = new NodeProcess(tmp.resolve("home"), "walk-" + UUID.randomUUID()).start();
    cli = new Cli(node.home);
  }

  @AfterAll
  void stopNode() throws Exception {
    node.stop();
  }

  @Test
  void walkthroughOnTheProjectsOwnExamples() throws Exception {
    Path cli = Samples.examples(tmp.resolve("own"));
    walkthrough(cli, "own-ep", blue -> {
      // the example model is y = 100 * (1*x1 + ... + 10*x10) + 7
      assertThat(blue.get(0).asDouble()).isCloseTo(38507.0, within(1e-6));
      assertThat(blue.get(1).asDouble()).isCloseTo(22007.0, within(1e-6));
    });
  }

  @Test
  void walkthroughOnAzuresSampleFiles() throws Exception {
    Path cli = Samples.azure(tmp.resolve("azure"));
    walkthrough(cli, "azure-ep", blue -> assertThat(blue.toString()).isEqualTo(
        Cli.JSON.readTree(Samples.AZURE_BLUE).toString()));
  }

  /**
   * The seed's other tab: the same walkthrough with Azure's Kubernetes online endpoint files, unchanged (mirroring
   * included: Azure refuses it on Kubernetes endpoints, Sluice keeps it, an extension).
   */
  @Test
  void walkthroughOnAzuresKubernetesFiles() throws Exception {
    Path dir = Samples.azure(tmp.resolve("k8s"));
    walkthrough(dir, "k8s-ep", KUBERNETES, blue -> assertThat(blue.toString()).isEqualTo(
        Cli.JSON.readTree(Samples.AZURE_BLUE).toString()));
  }

  /** Where a walkthrough's three files are, below {@code endpoints/online}. */
  record Files3(String endpoint, String blue, String green) {
  }

  static final Files3 MANAGED = new Files3("managed/sample/endpoint.yml", "managed/sample/blue-deployment.yml",
      "managed/sample/green-deployment.yml");
  static final Files3 KUBERNETES = new Files3("kubernetes/kubernetes-endpoint.yml",
      "kubernetes/kubernetes-blue-deployment.yml", "kubernetes/kubernetes-green-deployment.yml");

  @Test
  void curatedEnvironmentReferenceVariant() throws Exception {
    Path dir = Samples.azure(tmp.resolve("curated"));
    variant(dir, "curated-ep", "blue-deployment-with-curated-env.yml", "green-deployment-with-curated-env.yml");
  }

  @Test
  void registeredAssetsVariant() throws Exception {
    Path dir = Samples.azure(tmp.resolve("registered"));
    String online = dir.resolve("endpoints/online").toString();
    JsonNode m1 = cli.okJson("model", "create", "--name", "my-model", "--version", "1", "--path",
        online + "/model-1/model");
    assertThat(m1.path("id").asText()).isEqualTo("azureml:my-model:1");
    cli.ok("model", "create", "-n", "my-model", "-v", "2", "-p", online + "/model-2/model");
    cli.ok("environment", "create", "--name", "my-env", "--version", "1", "--image",
        "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest", "--conda-file", online + "/model-1/environment/conda.yaml");
    assertThat(cli.okJson("model", "list", "--name", "my-model").size()).isEqualTo(2);
    assertThat(cli.ok("environment", "show", "-n", "my-env", "-v", "1", "--query", "name", "-o", "tsv")).isEqualTo("my-env");
    // registering the same version again is refused: versions are immutable
    assertThat(cli.fails("model", "create", "-n", "my-model", "-v", "1", "-p", online + "/model-1/model"))
        .contains("already exists");
    variant(dir, "registered-ep", "blue-deployment-with-registered-assets.yml",
        "green-deployment-with-registered-assets.yml");
  }

  interface BlueCheck {
    void check(JsonNode blue) throws Exception;
  }

  private void variant(Path dir, String e, String blueYaml, String greenYaml) throws Exception {
    String sample = dir.resolve("endpoints/online/managed/sample").toString();
    cli.ok("online-endpoint", "create", "--name", e, "-f", sample + "/endpoint.yml");
    cli.ok("online-deployment", "create", "--name", "blue", "--endpoint-name", e, "-f", sample + "/" + blueYaml,
        "--all-traffic");
    cli.ok("online-deployment", "create", "--name", "green", "--endpoint-name", e, "-f", sample + "/" + greenYaml);
    String req = dir.resolve("endpoints/online/model-1/sample-request.json").toString();
    assertThat(Cli.JSON.readTree(cli.ok("online-endpoint", "invoke", "--name", e, "--request-file", req)))
        .isEqualTo(Cli.JSON.readTree(Samples.AZURE_BLUE));
    assertThat(cli.ok("online-endpoint", "invoke", "--name", e, "--deployment-name", "green", "--request-file", req))
        .isEqualTo(Samples.GREEN);
    cli.ok("online-endpoint", "delete", "--name", e, "--yes", "--no-wait");
    waitUntilGone("online-endpoint", "show", "-n", e);
    assertThat(cli.okJson("online-endpoint", "list", "--query", "[].name").toString()).doesNotContain(e);
  }

  private void walkthrough(Path dir, String e, BlueCheck blueCheck) throws Exception {
    walkthrough(dir, e, MANAGED, blueCheck);
  }

  private void walkthrough(Path dir, String e, Files3 files, BlueCheck blueCheck) throws Exception {
    Path online = dir.resolve("endpoints/online");
    String req1 = dir.resolve("endpoints/online/model-1/sample-request.json").toString();
    String req2 = dir.resolve("endpoints/online/model-2/sample-request.json").toString();

    JsonNode ep = cli.okJson("online-endpoint", "create", "--name", e, "-f", online.resolve(files.endpoint())
        .toString());
    assertThat(ep.path("name").asText()).isEqualTo(e);
    assertThat(ep.path("auth_mode").asText()).isEqualTo("key");
    assertThat(ep.path("provisioning_state").asText()).isEqualTo("Succeeded");

    JsonNode blue = cli.okJson("online-deployment", "create", "--name", "blue", "--endpoint-name", e, "-f",
        online.resolve(files.blue()).toString(), "--all-traffic");
    assertThat(blue.path("provisioning_state").asText()).isEqualTo("Succeeded");
    assertThat(cli.okJson("online-endpoint", "show", "-n", e, "--query", "traffic").toString())
        .isEqualTo("{\"blue\":100}");

    blueCheck.check(Cli.JSON.readTree(cli.ok("online-endpoint", "invoke", "--name", e, "--request-file", req1)));

    JsonNode scaled = cli.okJson("online-deployment", "update", "--name", "blue", "--endpoint-name", e, "--set",
        "instance_count=2");
    assertThat(scaled.path("instance_count").asInt()).isEqualTo(2);
    assertThat(scaled.path("instances").findValuesAsText("state")).containsExactly("Ready", "Ready");

    JsonNode green = cli.okJson("online-deployment", "create", "--name", "green", "--endpoint-name", e, "-f",
        online.resolve(files.green()).toString());
    assertThat(green.path("provisioning_state").asText()).isEqualTo("Succeeded");
    if (files == KUBERNETES) {
      assertThat(ep.path("compute").asText()).isEqualTo("azureml:inferencecompute");
      assertThat(blue.path("type").asText()).isEqualTo("kubernetes");
      assertThat(blue.path("resources").path("limits").path("memory").asText()).isEqualTo("200Mi");
      // green scales itself between 1 and 3 instances; show says where it stands and why
      assertThat(green.path("scale_settings").path("type").asText()).isEqualTo("target_utilization");
      assertThat(green.path("scale_settings").path("max_instances").asInt()).isEqualTo(3);
      assertThat(green.path("instance_type").asText()).isEqualTo("defaultinstancetype");
      assertThat(cli.okJson("online-deployment", "show", "-n", "green", "-e", e, "--query",
          "scale_status.current_instances").asInt()).isEqualTo(1);
    }
    assertThat(cli.okJson("online-endpoint", "show", "-n", e, "--query", "traffic").toString())
        .isEqualTo("{\"blue\":100,\"green\":0}");

    assertThat(cli.ok("online-endpoint", "invoke", "--name", e, "--deployment-name", "green", "--request-file", req2))
        .isEqualTo(Samples.GREEN);

    String key = cli.ok("online-endpoint", "get-credentials", "-n", e, "-o", "tsv", "--query", "primaryKey");
    String uri = cli.ok("online-endpoint", "show", "-n", e, "-o", "tsv", "--query", "scoring_uri");
    assertThat(uri).isEqualTo(node.url() + "/endpoints/" + e + "/score");
    HttpResponse<String> pinned = score(uri, key, "green", Files.readString(Path.of(req2)));
    assertThat(pinned.statusCode()).isEqualTo(200);
    assertThat(pinned.body()).isEqualTo(Samples.GREEN);
    assertThat(pinned.headers().firstValue("azureml-model-deployment")).hasValue("green");
    assertThat(pinned.headers().firstValue("x-request-id")).isPresent();

    // mirror 10%: clients only ever see blue, green gets exactly 2 of 20 copies
    assertThat(cli.okJson("online-endpoint", "update", "--name", e, "--mirror-traffic", "green=10",
        "--query", "mirror_traffic").toString()).isEqualTo("{\"green\":10}");
    String body1 = Files.readString(Path.of(req1));
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = score(uri, key, null, body1);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("azureml-model-deployment")).hasValue("blue");
    }
    String logs = waitForLogLines(e, "green", "model 2: request received", 4);
    assertThat(count(logs, "model 2: request received")).isEqualTo(4); // 1 invoke + 1 curl + 2 mirrored
    cli.ok("online-endpoint", "update", "--name", e, "--mirror-traffic", "green=0");
    assertThat(cli.okJson("online-endpoint", "show", "-n", e, "--query", "mirror_traffic").toString()).isEqualTo("{}");

    cli.ok("online-endpoint", "update", "--name", e, "--traffic", "blue=90 green=10");
    assertThat(answeredBy(uri, key, body1, 100)).isEqualTo(Map.of("blue", 90, "green", 10));

    cli.ok("online-endpoint", "update", "--name", e, "--traffic", "blue=0 green=100");
    assertThat(answeredBy(uri, key, body1, 10)).isEqualTo(Map.of("green", 10));

    cli.ok("online-deployment", "delete", "--name", "blue", "--endpoint", e, "--yes", "--no-wait");
    waitUntilGone("online-deployment", "show", "-n", "blue", "-e", e);
    cli.ok("online-endpoint", "delete", "--name", e, "--yes", "--no-wait");
    waitUntilGone("online-endpoint", "show", "-n", e);
  }

  private HttpResponse<String> score(String uri, String key, String deployment, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri)).header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (deployment != null) {
      b.header("azureml-model-deployment", deployment);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private Map<String, Integer> answeredBy(String uri, String key, String body, int n) throws Exception {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r = score(uri, key, null, body);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      counts.merge(r.headers().firstValue("azureml-model-deployment").orElse("?"), 1, Integer::sum);
    }
    return counts;
  }

  private String waitForLogLines(String e, String d, String line, int n) throws Exception {
    return Await.until(() -> cli.ok("online-deployment", "get-logs", "--name", d, "--endpoint", e),
        logs -> count(logs, line) >= n, Duration.ofSeconds(5), n + " log lines '" + line + "' of " + d);
  }

  private static int count(String text, String needle) {
    int c = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      c++;
    }
    return c;
  }

  private void waitUntilGone(String... show) throws Exception {
    Cli.Result gone;
    try {
      gone = Await.until(() -> cli.run(show), r -> r.code() != 0, Duration.ofSeconds(60),
          "gone: " + String.join(" ", show));
    } catch (AssertionError stuck) { // (once seen in a full run, not reproduced: the node's own account)
      String log = node.log();
      throw new AssertionError(stuck.getMessage() + "\n" + cli.run(show).out() + "\n--- node log ---\n"
          + log.substring(Math.max(0, log.length() - 8000)), stuck);
    }
    assertThat(gone.err()).contains("NotFound");
  }
}
