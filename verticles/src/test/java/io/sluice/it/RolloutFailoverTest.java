package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.loadtest.LoadGenerator;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the node running a rollout (the supervisor leader), on three nodes, in the middle of the rollout:
 * another node carries on at the step it was in and the rollout ends Succeeded, with a verdict for every step. Also:
 * the rollout's and the mirror report's REST doors answer only the admin token.
 */
class RolloutFailoverTest {
  @TempDir
  Path tmp;

  @Test
  void anotherNodeCarriesOnAtTheStepItWasIn() throws Exception {
    String cluster = "roll-fail-" + UUID.randomUUID();
    List<NodeProcess> nodes = new ArrayList<>();
    BackgroundLoad running = null;
    try {
      for (int i = 0; i < 3; i++) {
        nodes.add(new NodeProcess(tmp.resolve("home"), cluster).start());
      }
      NodeProcess leader = nodes.get(0); // the oldest member leads, and runs the rollouts
      Cli cli = new Cli(tmp.resolve("home"), nodes.get(1).url());
      String constant = Samples.repo().resolve("examples/java-constant/constant-deployment.yml").toString();
      cli.ok("online-endpoint", "create", "-n", "fail-ep");
      cli.ok("online-deployment", "create", "-f", constant, "-e", "fail-ep", "-n", "blue", "--all-traffic",
          "--set", "instance_count=3", "environment_variables.SLUICE_CONSTANT=\"blue\"");
      cli.ok("online-deployment", "create", "-f", constant, "-e", "fail-ep", "-n", "green",
          "--set", "instance_count=3", "environment_variables.SLUICE_CONSTANT=\"green\"");
      String key = cli.ok("online-endpoint", "get-credentials", "-n", "fail-ep", "-o", "tsv", "--query", "primaryKey");
      NodeProcess entry = nodes.get(2);
      // ended once the rollout has ended; 90 s is only its bound
      running = BackgroundLoad.of(new LoadGenerator.Settings(URI.create(entry.url()
          + "/endpoints/fail-ep/score"), Map.of("Authorization", "Bearer " + key), Buffer.buffer("{}"), 2,
          1_000_000_000, 90_000));
      new Scoring(entry).awaitMoreAnswers("fail-ep", 200, "before the rollout");
      // the kill also takes an instance of each deployment with it (and its requests in flight): loose limits, so
      // that what is tested is the hand-over, not how a step fares through a node failure
      cli.ok("online-endpoint", "rollout", "start", "-n", "fail-ep", "--deployment", "green", "--steps", "10 50 100",
          "--interval", "3s", "--min-requests", "20", "--max-p99-ratio", "1000", "--max-error-rate", "50",
          "--max-error-rate-increase", "50", "--no-wait");
      Await.until(() -> cli.okJson("online-endpoint", "rollout", "show", "-n", "fail-ep"),
          r -> r.path("verdicts").size() >= 1, Duration.ofSeconds(30), "the first verdict");
      long t0 = System.nanoTime();
      leader.kill();
      // while the embedded store moves to a surviving process, a command may fail: "not yet", not a failure
      JsonNode done = Await.until(() -> {
        Cli.Result shown = cli.run("online-endpoint", "rollout", "show", "-n", "fail-ep");
        return shown.code() == 0 ? shown.json() : Cli.JSON.createObjectNode();
      }, r -> r.has("status") && !r.path("status").asText().equals("Running"), Duration.ofSeconds(90),
          "the rollout to end");
      System.out.printf("kill -9 of the rollout's leader -> Succeeded %.1f s later%n", (System.nanoTime() - t0) / 1e9);
      assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("Succeeded");
      // a window cut by the kill may be inconclusive and judged again; what passed is every step, in order
      assertThat(RolloutTest.passedSteps(done)).as("no step skipped: %s", done.path("verdicts")).containsExactly("10%", "50%", "100%");
      assertThat(done.path("verdicts").findValuesAsText("outcome")).as("never a failure").doesNotContain("FAIL");
      assertThat(cli.okJson("online-endpoint", "show", "-n", "fail-ep", "--query", "traffic").toString())
          .isEqualTo("{\"blue\":0,\"green\":100}");
      running.end();

      Scoring api = new Scoring(nodes.get(1));
      String token = Files.readString(tmp.resolve("home/admin-token")).trim();
      for (String path : new String[] {"/api/endpoints/fail-ep/rollout", "/api/endpoints/fail-ep/mirror-report"}) {
        assertThat(api.admin(path, null).statusCode()).as(path).isEqualTo(401);
        assertThat(api.admin(path, "wrong").statusCode()).as(path).isEqualTo(401);
        assertThat(api.admin(path, token).statusCode()).as(path).isEqualTo(200);
      }
    } finally {
      if (running != null) {
        running.close(); // a test that failed first: the load must not outlive its nodes, hammering closed ports
      }
      for (NodeProcess n : nodes) {
        n.stop();
      }
    }
  }
}
