package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Provisioning states, the Java runtime and the API description, against a real node. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeploymentLifecycleTest {
  @TempDir
  static Path tmp;
  NodeProcess node;
  Cli cli;

  @BeforeAll
  void start() throws Exception {
    node = new NodeProcess(tmp.resolve("home"), "life-" + UUID.randomUUID()).start();
    cli = new Cli(node.home);
    cli.ok("online-endpoint", "create", "-n", "life-ep");
  }

  @AfterAll
  void stop() throws Exception {
    node.stop();
  }

  private static Path deployment(Path dir, String initBody) throws Exception {
    Path code = Files.createDirectories(dir.resolve("code"));
    Files.writeString(code.resolve("score.py"), """
        import logging
        def init():
        %s
        def run(raw_data):
            logging.info("scored")
            return {"ok": True}
        """.formatted(initBody.indent(4).stripTrailing()));
    return Files.writeString(dir.resolve("d.yml"), """
        name: app
        endpoint_name: life-ep
        code_configuration:
          code: code
          scoring_script: score.py
        environment:
          image: any
        instance_type: Standard_DS3_v2
        instance_count: 1
        """);
  }

  @Test
  void initFailureEndsFailedWithTheReasonAndTheTracebackInTheLogs() throws Exception {
    Path bad = deployment(tmp.resolve("bad"), "raise RuntimeError('cannot load the weights')");
    String err = cli.fails("online-deployment", "create", "-f", bad.toString(), "--all-traffic");
    assertThat(err).contains("deployment 'app' failed").contains("cannot load the weights");
    JsonNode shown = cli.okJson("online-deployment", "show", "-n", "app", "-e", "life-ep");
    assertThat(shown.path("provisioning_state").asText()).isEqualTo("Failed");
    assertThat(shown.path("status_reason").asText()).contains("init() failed");
    assertThat(cli.ok("online-deployment", "get-logs", "-n", "app", "-e", "life-ep"))
        .contains("Traceback").contains("RuntimeError: cannot load the weights");
    assertThat(cli.okJson("online-endpoint", "show", "-n", "life-ep", "--query", "traffic").toString())
        .as("--all-traffic applies only when the deployment succeeds").isEqualTo("{\"app\":0}");

    // fixing the code rolls out a new spec version; the deployment then succeeds and takes the traffic
    Path good = deployment(tmp.resolve("good"), "logging.info('init ok')");
    JsonNode fixed = cli.okJson("online-deployment", "update", "-f", good.toString());
    assertThat(fixed.path("provisioning_state").asText()).isEqualTo("Succeeded");
    assertThat(fixed.path("spec_version").asInt()).isEqualTo(2);
    assertThat(fixed.path("instances").findValuesAsText("state")).containsExactly("Ready");
    assertThat(cli.okJson("online-endpoint", "show", "-n", "life-ep", "--query", "traffic").toString())
        .isEqualTo("{\"app\":100}");
    assertThat(cli.ok("online-endpoint", "invoke", "-n", "life-ep", "-r", good.toString())).isEqualTo("{\"ok\": true}");

    // --no-wait returns at once with the operation's state
    JsonNode scaling = cli.okJson("online-deployment", "update", "-n", "app", "-e", "life-ep", "--set",
        "instance_count=2", "--no-wait");
    assertThat(scaling.path("provisioning_state").asText()).isEqualTo("Updating");
    cli.ok("online-endpoint", "update", "-n", "life-ep", "--traffic", "app=0");
    cli.ok("online-deployment", "delete", "-n", "app", "-e", "life-ep", "--yes");
    assertThat(cli.okJson("online-deployment", "list", "-e", "life-ep").size()).isZero();
  }

  /**
   * Issue 22: an instance stopped while its init() runs must leave no Python process behind (boot() used to go on
   * after stop(), starting workers that nothing would close) and write no state after its map entry is gone.
   */
  @Test
  void aDeploymentDeletedWhileItsInitRunsLeavesNoWorkerBehind() throws Exception {
    Path pids = tmp.resolve("init-pids");
    Path yaml = deployment(tmp.resolve("slow-init"), """
        import os, time
        with open(%s, "a") as f:
            f.write(str(os.getpid()) + "\\n")
        time.sleep(8)""".formatted("'" + pids + "'"));
    cli.ok("online-deployment", "create", "-f", yaml.toString(), "-n", "slow", "--no-wait");
    Await.until(() -> Files.exists(pids) && !Files.readAllLines(pids).isEmpty(), Duration.ofSeconds(60),
        "init() running");
    cli.ok("online-deployment", "delete", "-n", "slow", "-e", "life-ep", "--yes");
    // init() would end 8 s after it began; every process that ran it is gone well before, and stays gone after
    Await.until(() -> Files.readAllLines(pids).stream().map(Long::parseLong).noneMatch(pid ->
        ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)), Duration.ofSeconds(30),
        "every init() process gone");
    List<String> started = Files.readAllLines(pids);
    Await.stable(() -> Files.readAllLines(pids).equals(started), Duration.ofSeconds(10), Duration.ofSeconds(20),
        "no worker started after the stop");
    assertThat(cli.okJson("online-deployment", "list", "-e", "life-ep").findValuesAsText("name"))
        .doesNotContain("slow");
    assertThat(node.log()).as("no state written for the instance once it stopped")
        .doesNotContainPattern("instance \\S*slow\\S* failed");
  }

  @Test
  void javaScorerDeploymentFromTheExamples() throws Exception {
    Path yaml = Samples.repo().resolve("examples/java-echo/echo-deployment.yml");
    JsonNode d = cli.okJson("online-deployment", "create", "-f", yaml.toString(), "-e", "life-ep", "-n", "echo");
    assertThat(d.path("provisioning_state").asText()).isEqualTo("Succeeded");
    Path req = Files.writeString(tmp.resolve("req.json"), "{\"hello\": [1, 2, 3]}");
    assertThat(cli.ok("online-endpoint", "invoke", "-n", "life-ep", "--deployment-name", "echo", "-r", req.toString()))
        .isEqualTo("{\"hello\": [1, 2, 3]}");
    cli.ok("online-deployment", "delete", "-n", "echo", "-e", "life-ep", "--yes");
  }

  @Test
  void theApiDescribesItself() throws Exception {
    String token = Files.readString(node.home.resolve("admin-token")).trim();
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(node.url() + "/api/openapi.yaml")).header("Authorization", "Bearer " + token).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).startsWith("openapi: 3").contains("/api/endpoints/{endpoint}/deployments");
  }
}
