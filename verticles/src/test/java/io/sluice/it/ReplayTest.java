package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * A rollout that replays first, on a real node with real Python deployments: blue serves and collects its requests
 * and responses; a candidate that answers differently on 5 % of them is stopped at the replay step having taken no
 * live request (its script sees only requests marked as replays), and the mismatches are in rollout show; a
 * candidate that answers the same passes the replay and goes on to its first live step; a replay with nothing
 * recorded to read is refused at start, naming the field.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplayTest {
  @TempDir
  static Path tmp;
  static final String SCRIPT = """
      import json
      import os

      def init():
          pass

      def run(raw_data, request_headers):
          headers = {k.lower(): v for k, v in request_headers.items()}
          x = json.loads(raw_data)["x"]
          print("REPLAY" if headers.get("x-ms-sluice-replay") == "true" else "LIVE", x)
          y = x * 2
          if os.environ.get("WRONG_ONE_IN_TWENTY") == "yes" and x % 20 == 0:
              y += 1
          return {"y": y}
      """;
  NodeProcess node;
  Cli cli;

  Path deployment(String name, String vars, boolean collect) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve(name));
    Files.createDirectories(dir.resolve("code"));
    Files.writeString(dir.resolve("code/score.py"), SCRIPT);
    return Files.writeString(dir.resolve("d.yml"), """
        name: %s
        endpoint_name: rp-ep
        code_configuration: {code: code, scoring_script: score.py}
        environment: {image: any}
        environment_variables: {%s}
        instance_type: Standard_DS3_v2
        instance_count: 1
        %s
        """.formatted(name, vars, collect ? "data_collector: {collections: {request: {enabled: 'True'}, "
        + "response: {enabled: 'True'}}}" : ""));
  }

  @BeforeAll
  void start() throws Exception {
    node = new NodeProcess(tmp.resolve("home"), "replay-" + UUID.randomUUID()).start();
    cli = new Cli(node.home);
    cli.ok("online-endpoint", "create", "-n", "rp-ep");
    cli.ok("online-deployment", "create", "-f", deployment("blue", "", true).toString(), "--all-traffic");
    cli.ok("online-deployment", "create", "-f", deployment("wrong", "WRONG_ONE_IN_TWENTY: 'yes'", false).toString());
    cli.ok("online-deployment", "create", "-f", deployment("same", "", false).toString());
    String key = cli.ok("online-endpoint", "get-credentials", "-n", "rp-ep", "-o", "tsv", "--query", "primaryKey");
    Scoring scoring = new Scoring(node);
    for (int x = 0; x < 100; x++) {
      assertThat(scoring.score("rp-ep", "Bearer " + key, null, "{\"x\": " + x + "}").statusCode()).isEqualTo(200);
    }
    Await.until(() -> cli.okJson("online-deployment", "get-collected-data", "-n", "blue", "-e", "rp-ep",
        "--collection", "response", "--limit", "1000", "-o", "json", "--query", "length(@)").asInt() == 100,
        Duration.ofSeconds(15), "blue's 100 responses recorded");
  }

  @AfterAll
  void stop() throws Exception {
    node.stop();
  }

  @Test
  @Order(1)
  void aCandidateThatAnswersDifferentlyOnFivePercentIsStoppedAtTheReplayWithoutALiveRequest() throws Exception {
    JsonNode before = cli.okJson("online-endpoint", "show", "-n", "rp-ep", "--query", "traffic");
    Cli.Result r = cli.run("online-endpoint", "rollout", "start", "-n", "rp-ep", "--deployment", "wrong",
        "--replay-first", "100", "--min-requests", "50", "--replay-rate", "100");
    assertThat(r.code()).as("stdout %s\nstderr %s", r.out(), r.err()).isEqualTo(1);
    assertThat(r.err()).contains("step replay 100: FAIL").contains("replay agreement 95.00% < 99.00%")
        .contains("RolledBack");
    JsonNode shown = cli.okJson("online-endpoint", "rollout", "show", "-n", "rp-ep");
    JsonNode figures = shown.path("verdicts").get(0).path("figures");
    assertThat(figures.path("replay_compared").asInt()).isEqualTo(100);
    assertThat(figures.path("replay_agreed").asInt()).isEqualTo(95);
    JsonNode mismatch = figures.path("mismatches").get(0);
    assertThat(mismatch.path("paths").toString()).contains("$.y");
    assertThat(mismatch.path("recorded_body").asText()).isNotEqualTo(mismatch.path("replay_body").asText());
    assertThat(cli.okJson("online-endpoint", "show", "-n", "rp-ep", "--query", "traffic")).isEqualTo(before);
    JsonNode report = cli.okJson("online-endpoint", "mirror-report", "-n", "rp-ep", "--query", "replay");
    assertThat(report.path("deployment").asText()).isEqualTo("wrong");
    assertThat(report.path("agreed").asInt()).isEqualTo(95);
    assertThat(report.path("mismatches").get(0).path("paths").toString()).contains("$.y");
    String logs = cli.ok("online-deployment", "get-logs", "-n", "wrong", "-e", "rp-ep", "--lines", "500");
    assertThat(logs).as("every request the candidate saw was a replay").contains("REPLAY 0").doesNotContain("LIVE");
  }

  @Test
  @Order(2)
  void aCandidateThatAnswersTheSamePassesTheReplayAndGoesOnToItsFirstStep() throws Exception {
    cli.ok("online-endpoint", "rollout", "start", "-n", "rp-ep", "--deployment", "same", "--replay-first", "100",
        "--min-requests", "50", "--replay-rate", "100", "--steps", "10 100", "--interval", "60s", "--no-wait");
    JsonNode moved = Await.until(() -> cli.okJson("online-endpoint", "rollout", "show", "-n", "rp-ep"),
        s -> s.path("step_label").asText().equals("10%"), Duration.ofSeconds(30), "past the replay, at 10 %");
    assertThat(moved.path("verdicts").get(0).path("outcome").asText()).isEqualTo("PASS");
    assertThat(moved.path("verdicts").get(0).path("figures").path("agreement").asDouble()).isEqualTo(100.0);
    assertThat(cli.okJson("online-endpoint", "show", "-n", "rp-ep", "--query", "traffic.same").asInt()).isEqualTo(10);
    cli.ok("online-endpoint", "rollout", "abort", "-n", "rp-ep");
  }

  @Test
  @Order(3)
  void aReplayWithNothingRecordedIsRefusedAtStart() throws Exception {
    cli.ok("online-endpoint", "update", "-n", "rp-ep", "--traffic", "blue=0 same=100");
    assertThat(cli.fails("online-endpoint", "rollout", "start", "-n", "rp-ep", "--deployment", "blue",
        "--replay-first", "10")).contains("replay_first: no live deployment of endpoint 'rp-ep' collects both");
    assertThat(cli.fails("online-endpoint", "rollout", "start", "-n", "rp-ep", "--deployment", "blue",
        "--replay-first", "10", "--replay-rate", "0")).contains("replay_rate: a number from 1 to 1000");
    cli.ok("online-endpoint", "update", "-n", "rp-ep", "--traffic", "blue=100 same=0");
  }
}
