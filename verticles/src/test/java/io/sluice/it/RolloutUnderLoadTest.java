package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.loadtest.LoadGenerator;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Changes under a steady, bounded load against real node processes: the walkthrough's traffic moves, a scale-down
 * and a rolling update, each with zero failed requests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RolloutUnderLoadTest {
  @TempDir
  static Path tmp;
  NodeProcess a;
  NodeProcess b;
  Cli cli;
  String constant;
  /** The load goes to node b; its router's counts tell when load is flowing. */
  Scoring scoring;

  @BeforeAll
  void start() throws Exception {
    String cluster = "rollout-" + UUID.randomUUID();
    a = new NodeProcess(tmp.resolve("home"), cluster).start();
    b = new NodeProcess(tmp.resolve("home"), cluster).start();
    cli = new Cli(a.home, a.url());
    scoring = new Scoring(b);
    constant = Samples.repo().resolve("examples/java-constant/constant-deployment.yml").toString();
  }

  @AfterAll
  void stop() throws Exception {
    b.stop();
    a.stop();
  }

  private CompletableFuture<LoadGenerator.Report> load(String endpoint, long ms) {
    String key = cli.ok("online-endpoint", "get-credentials", "-n", endpoint, "-o", "tsv", "--query", "primaryKey");
    return CompletableFuture.supplyAsync(() -> {
      try {
        return LoadGenerator.run(new LoadGenerator.Settings(URI.create(b.url() + "/endpoints/" + endpoint + "/score"),
            Map.of("Authorization", "Bearer " + key), Buffer.buffer("{}"), 4, 2_000_000, ms));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  /** No request failed; otherwise the nodes' WARN lines (the routers say why a request failed) are shown. */
  private void noneFailed(LoadGenerator.Report r) throws IOException {
    assertThat(r.failed()).as("%s%s%s", r.summary(), a.warnings(20), b.warnings(20)).isZero();
    assertThat(r.requests()).as(r.summary()).isGreaterThan(100);
  }

  @Test
  void theWalkthroughsTrafficMovesFailNoRequest() throws Exception {
    cli.ok("online-endpoint", "create", "-n", "walk-load");
    cli.ok("online-deployment", "create", "-f", constant, "-e", "walk-load", "-n", "blue", "--all-traffic",
        "--set", "instance_count=2", "environment_variables.SLUICE_CONSTANT=\"blue\"");
    cli.ok("online-deployment", "create", "-f", constant, "-e", "walk-load", "-n", "green",
        "--set", "instance_count=2", "environment_variables.SLUICE_CONSTANT=\"green\"");
    CompletableFuture<LoadGenerator.Report> running = load("walk-load", 9000);
    String[][] steps = {{"--mirror-traffic", "green=10"}, {"--mirror-traffic", "green=0"},
        {"--traffic", "blue=90 green=10"}, {"--traffic", "blue=50 green=50"}, {"--traffic", "blue=0 green=100"}};
    for (String[] step : steps) {
      scoring.awaitMoreAnswers("walk-load", 200, "before " + String.join(" ", step));
      cli.ok("online-endpoint", "update", "-n", "walk-load", step[0], step[1]);
    }
    scoring.awaitMoreAnswers("walk-load", 200, "on green alone");
    cli.ok("online-deployment", "delete", "-n", "blue", "-e", "walk-load", "--yes");
    LoadGenerator.Report r = running.get(60, TimeUnit.SECONDS);
    noneFailed(r);
    assertThat(r.byDeployment().keySet()).containsExactlyInAnyOrder("blue", "green");
  }

  @Test
  void scaleDownFourToOneFailsNoRequest() throws Exception {
    cli.ok("online-endpoint", "create", "-n", "scale-load");
    cli.ok("online-deployment", "create", "-f", constant, "-e", "scale-load", "-n", "many", "--all-traffic",
        "--set", "instance_count=4");
    CompletableFuture<LoadGenerator.Report> running = load("scale-load", 4000);
    scoring.awaitMoreAnswers("scale-load", 200, "before the scale-down");
    JsonNode one = cli.okJson("online-deployment", "update", "-n", "many", "-e", "scale-load", "--set",
        "instance_count=1");
    noneFailed(running.get(60, TimeUnit.SECONDS));
    assertThat(one.path("instances").size()).isEqualTo(1);
  }

  @Test
  void aRollingUpdateFailsNoRequestRespectsTheSurgeAndEndsOnTheNewVersion() throws Exception {
    cli.ok("online-endpoint", "create", "-n", "roll-load");
    cli.ok("online-deployment", "create", "-f", constant, "-e", "roll-load", "-n", "app", "--all-traffic",
        "--set", "instance_count=4");
    AtomicInteger most = new AtomicInteger();
    CompletableFuture<Void> watch = CompletableFuture.runAsync(() -> {
      long end = System.currentTimeMillis() + 6000;
      while (System.currentTimeMillis() < end) {
        most.accumulateAndGet(cli.okJson("online-deployment", "show", "-n", "app", "-e", "roll-load", "--query",
            "instances").size(), Math::max);
      }
    });
    CompletableFuture<LoadGenerator.Report> running = load("roll-load", 5000);
    scoring.awaitMoreAnswers("roll-load", 200, "before the update");
    JsonNode updated = cli.okJson("online-deployment", "update", "-n", "app", "-e", "roll-load", "--set",
        "environment_variables.SLUICE_CONSTANT='\"v2\"'");
    assertThat(updated.path("spec_version").asInt()).isEqualTo(2);
    noneFailed(running.get(60, TimeUnit.SECONDS));
    watch.get(30, TimeUnit.SECONDS);
    assertThat(most.get()).as("4 instances + Azure's surge of max(1, 20%)").isLessThanOrEqualTo(5);
    assertThat(updated.path("instances").findValuesAsText("spec_version")).containsOnly("2");
    Path req = java.nio.file.Files.writeString(tmp.resolve("r.json"), "{}");
    for (int i = 0; i < 10; i++) {
      assertThat(cli.ok("online-endpoint", "invoke", "-n", "roll-load", "-r", req.toString())).isEqualTo("\"v2\"");
    }
  }
}
