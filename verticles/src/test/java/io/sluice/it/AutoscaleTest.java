package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.loadtest.LoadGenerator;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Autoscaling on a real node: a Python score.py whose run() takes 20 ms, one request per instance at a time,
 * {@code target_utilization} 70 % between 1 and 6 instances, a 10 s window before scaling down. Open-loop load in
 * steps of 20, 150 and 20 requests a second: the count rises to cover the load, falls back after the window, stays
 * within [min, max], and the scale-down fails no request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AutoscaleTest {
  @TempDir
  static Path tmp;
  NodeProcess node;
  Cli cli;
  String key;

  @BeforeAll
  void start() throws Exception {
    Path conf = Files.writeString(tmp.resolve("node.yaml"), "python:\n  spare_workers: 0\n");
    node = new NodeProcess(tmp.resolve("home"), "scale-" + UUID.randomUUID()).with("--config", conf.toString())
        .with("--cpu", "2").start(); // declared: the canary's requests (500m each) fit four times
    cli = new Cli(node.home);
    Path dir = Files.createDirectories(tmp.resolve("d/code"));
    Files.writeString(dir.resolve("score.py"), """
        import time
        def init():
            pass
        def run(raw_data):
            time.sleep(0.02)
            return raw_data
        """);
    Files.writeString(tmp.resolve("d/d.yml"), """
        name: auto
        endpoint_name: scale-ep
        code_configuration: {code: code, scoring_script: score.py}
        environment: {image: any}
        instance_type: Standard_DS3_v2
        request_settings: {max_concurrent_requests_per_instance: 1, max_queue_wait_ms: 3000}
        scale_settings:
          type: target_utilization
          min_instances: 1
          max_instances: 6
          polling_interval: 1
          target_utilization_percentage: 70
          scale_down_delay: 10
        """);
    cli.ok("online-endpoint", "create", "-n", "scale-ep");
    cli.ok("online-deployment", "create", "-f", tmp.resolve("d/d.yml").toString(), "--all-traffic");
    key = cli.ok("online-endpoint", "get-credentials", "-n", "scale-ep", "-o", "tsv", "--query", "primaryKey");
  }

  @AfterAll
  void stop() throws Exception {
    node.stop();
  }

  private LoadGenerator.Settings settings(double rate, long ms) {
    return new LoadGenerator.Settings(URI.create(node.url() + "/endpoints/scale-ep/score"),
        Map.of("Authorization", "Bearer " + key), Buffer.buffer("{\"x\": 1}"), 64, 1_000_000, ms, rate, null,
        () -> 0);
  }

  /**
   * A wait whose failure also shows the scaler's status and the end of the node's log: what explains a count that
   * did not move.
   */
  private <T> T explained(Callable<T> wait) throws Exception {
    try {
      return wait.call();
    } catch (ConditionTimeoutException e) {
      String log = node.log();
      throw new AssertionError(e.getMessage() + "\nscale_status: " + cli.run("online-deployment", "show", "-n",
          "auto", "-e", "scale-ep", "--query", "scale_status").out() + "\n"
          + log.substring(Math.max(0, log.length() - 4000)), e);
    }
  }

  private LoadGenerator.Report load(double rate, long ms) throws Exception {
    return LoadGenerator.run(settings(rate, ms));
  }

  private int ready() throws Exception {
    return ready("auto");
  }

  private int ready(String deployment) throws Exception {
    JsonNode inst = cli.okJson("online-deployment", "show", "-n", deployment, "-e", "scale-ep", "--query",
        "instances");
    return (int) inst.findValuesAsText("state").stream().filter("Ready"::equals).count();
  }

  @Test
  @Order(1)
  void theCountFollowsTheLoadWithinItsBoundsAndTheScaleDownFailsNothing() throws Exception {
    AtomicInteger most = new AtomicInteger();
    // the most Ready instances seen, sampled every 300 ms for the whole test
    ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();
    watcher.scheduleWithFixedDelay(() -> {
      try {
        most.accumulateAndGet(ready(), Math::max);
      } catch (Exception e) {
        // a sample missed: the next one counts
      }
    }, 0, 300, TimeUnit.MILLISECONDS);
    try {
      // warm the instance first (a cold worker's first answers are slow, and a burst of them may add an instance)
      for (int i = 0; i < 5; i++) {
        assertThat(new Scoring(node).withKey("scale-ep", key, "{}").statusCode()).isEqualTo(200);
      }
      LoadGenerator.Report calm = load(20, 6_000);
      assertThat(calm.byStatus().keySet()).as(calm.summary()).isSubsetOf(200, 429);
      // 20 a second x 20 ms = 0.4 in flight: one instance (a second at most, from the warm-up's burst)
      assertThat(ready()).isBetween(1, 2);

      // 150 a second x 20 ms = 3 in flight; at 70 % of one each, 5 instances (some 429s while they start)
      // (each load is also stopped when the test fails before its end: the node serves the next tests)
      try (BackgroundLoad busy = BackgroundLoad.of(settings(150, 40_000))) {
        int atPeak = explained(() -> Await.until(this::ready, n -> n >= 4, Duration.ofSeconds(30),
            "scaled up for 150 req/s"));
        JsonNode status = cli.okJson("online-deployment", "show", "-n", "auto", "-e", "scale-ep", "--query",
            "scale_status");
        LoadGenerator.Report busyReport = busy.end();
        assertThat(busyReport.byStatus().keySet()).as(busyReport.summary()).isSubsetOf(200, 429);
        assertThat(atPeak).as("Ready instances at 150 req/s; %s", status).isBetween(4, 6);
        assertThat(status.path("current_instances").asInt()).isBetween(4, 6);
        assertThat(status.path("reason").asText()).isNotEmpty();
      }

      // back to 20 a second: after the 10 s window, one instance at a time through the drain, nothing fails
      try (BackgroundLoad after = BackgroundLoad.of(settings(20, 60_000))) {
        explained(() -> Await.until(this::ready, n -> n <= 2, Duration.ofSeconds(50), "scaled back down"));
        LoadGenerator.Report afterReport = after.end();
        assertThat(afterReport.failed()).as("failed during the scale-down: %s", afterReport.summary()).isZero();
      }
    } finally {
      watcher.shutdownNow();
    }
    assertThat(most.get()).as("never above max_instances").isLessThanOrEqualTo(6);
    assertThat(cli.okJson("online-deployment", "show", "-n", "auto", "-e", "scale-ep", "--query",
        "scale_status.current_instances").asInt()).isBetween(1, 2);
  }

  @Test
  @Order(2)
  void instanceCountIsNotSettableWhileAutoscalingAndTheTypeSwitchesBothWays() throws Exception {
    String err = cli.fails("online-deployment", "update", "-n", "auto", "-e", "scale-ep", "--set",
        "instance_count=3");
    assertThat(err).contains("instance_count: not settable while scale_settings.type is target_utilization");
    cli.ok("online-deployment", "update", "-n", "auto", "-e", "scale-ep", "--set", "scale_settings.type=default",
        "instance_count=2");
    JsonNode fixed = cli.okJson("online-deployment", "show", "-n", "auto", "-e", "scale-ep");
    assertThat(fixed.path("scale_settings").toString()).isEqualTo("{\"type\":\"default\"}");
    assertThat(fixed.path("instance_count").asInt()).isEqualTo(2);
    assertThat(fixed.has("scale_status")).isFalse();
    Await.until(() -> ready() == 2, Duration.ofSeconds(60), "two fixed instances");
    cli.ok("online-deployment", "update", "-n", "auto", "-e", "scale-ep", "--set",
        "scale_settings.type=target_utilization", "scale_settings.min_instances=1", "scale_settings.max_instances=6",
        "scale_settings.scale_down_delay=10");
    JsonNode auto = cli.okJson("online-deployment", "show", "-n", "auto", "-e", "scale-ep");
    assertThat(auto.path("scale_settings").path("type").asText()).isEqualTo("target_utilization");
    assertThat(auto.path("scale_status").path("current_instances").asInt())
        .as("the scaler takes over from the instances there are").isEqualTo(2);
  }

  private int scaledTo(String deployment) throws Exception {
    return cli.okJson("online-deployment", "show", "-n", deployment, "-e", "scale-ep", "--query",
        "scale_status.current_instances").asInt();
  }

  private int canaryShare() throws Exception {
    return cli.okJson("online-endpoint", "show", "-n", "scale-ep", "--query", "traffic.canary").asInt();
  }

  /**
   * A guarded rollout of an autoscaled canary under 150 req/s: while it has 10 % it stays at one instance and the
   * live deployment keeps the count for its 90 %; at 100 % the canary scales up on its own load, until the node's
   * declared cpu stops it (four of its 500m requests fit in 2): the blocked scale-up is visible in show.
   */
  @Test
  @Order(3)
  void duringACanaryEachDeploymentScalesOnItsOwnLoad() throws Exception {
    Files.writeString(tmp.resolve("d/canary.yml"), Files.readString(tmp.resolve("d/d.yml"))
        .replace("name: auto", "name: canary") + "resources: {requests: {cpu: 500m}}\n");
    cli.ok("online-deployment", "create", "-f", tmp.resolve("d/canary.yml").toString());
    try (BackgroundLoad running = BackgroundLoad.of(settings(150, 90_000))) { // ended once the rollout succeeded
      cli.ok("online-endpoint", "rollout", "start", "-n", "scale-ep", "--deployment", "canary", "--steps", "10 100",
          "--interval", "15s", "--min-requests", "20", "--max-p99-ratio", "100", "--no-wait");
      int[] during = new int[2];
      Await.until(() -> {
        if (canaryShare() != 10) {
          return false;
        }
        during[0] = scaledTo("auto");
        during[1] = scaledTo("canary");
        return during[0] >= 3 && canaryShare() == 10; // both counts read while the canary had 10 %
      }, Duration.ofSeconds(25), "the live deployment scaled for its 90 % while the canary had 10 %");
      assertThat(during[1]).as("the canary's count at 10 %% of 150 req/s").isEqualTo(1);
      Await.until(() -> canaryShare() == 100 && scaledTo("canary") >= 3, Duration.ofSeconds(35),
          "the canary scaled up on its own load at 100 %");
      String blocked = Await.until(() -> cli.okJson("online-deployment", "show", "-n", "canary", "-e", "scale-ep",
          "--query", "scale_status.reason").asText(), r -> r.contains("blocked"), Duration.ofSeconds(20),
          "the scale-up past the node's cpu shown as blocked");
      assertThat(blocked).contains("resources.requests.cpu");
      assertThat(ready("canary")).isLessThanOrEqualTo(4);
      Await.until(() -> cli.okJson("online-endpoint", "rollout", "show", "-n", "scale-ep", "--query", "status")
          .asText(), "Succeeded"::equals, Duration.ofSeconds(40), "the rollout succeeded");
      LoadGenerator.Report r = running.end();
      assertThat(r.byStatus().keySet()).as(r.summary()).isSubsetOf(200, 429);
    }
  }
}
