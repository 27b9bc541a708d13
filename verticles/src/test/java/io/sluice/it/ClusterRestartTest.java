package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every node of a cluster stopped, then all started again: what was acknowledged is back and serving. */
class ClusterRestartTest {
  @TempDir
  Path tmp;

  @Test
  void aWholeClusterRestartLosesNothing() throws Exception {
    String cluster = "restart-all-" + UUID.randomUUID();
    Path home = tmp.resolve("home");
    Path yaml = Samples.repo().resolve("examples/java-constant/constant-deployment.yml");
    List<NodeProcess> nodes = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      // each node picks its free ports once the nodes before it hold theirs: picked all at once, a port chosen for
      // the third could be taken by the first one's ephemeral listeners ("Address already in use", seen once in CI)
      NodeProcess n = new NodeProcess(home, cluster);
      nodes.add(n);
      n.start();
    }
    Cli cli = new Cli(home, nodes.get(0).url());
    cli.ok("online-endpoint", "create", "-n", "all-ep");
    cli.ok("online-deployment", "create", "-f", yaml.toString(), "-e", "all-ep", "-n", "blue", "--all-traffic",
        "--set", "instance_count=3");
    // green scales itself (2 to 4 instances): its settings survive the restart, and it runs at least min_instances
    cli.ok("online-deployment", "create", "-f", yaml.toString(), "-e", "all-ep", "-n", "green", "--set",
        "environment_variables.SLUICE_CONSTANT='\"green\"'", "scale_settings.type=target_utilization",
        "scale_settings.min_instances=2", "scale_settings.max_instances=4", "instance_count=2");
    cli.ok("online-endpoint", "update", "-n", "all-ep", "--traffic", "blue=90 green=10");
    cli.ok("online-endpoint", "regenerate-keys", "-n", "all-ep", "--key-type", "primary");
    String key = cli.ok("online-endpoint", "get-credentials", "-n", "all-ep", "-o", "tsv", "--query", "primaryKey");
    JsonNode before = cli.okJson("online-endpoint", "show", "-n", "all-ep");
    JsonNode greenBefore = cli.okJson("online-deployment", "show", "-n", "green", "-e", "all-ep");
    for (NodeProcess n : nodes) {
      n.stop();
    }
    for (NodeProcess n : nodes) {
      n.start();
    }
    try {
      JsonNode after = cli.okJson("online-endpoint", "show", "-n", "all-ep");
      assertThat(after.path("traffic")).isEqualTo(before.path("traffic"));
      assertThat(after.path("revision")).isEqualTo(before.path("revision"));
      assertThat(cli.ok("online-endpoint", "get-credentials", "-n", "all-ep", "-o", "tsv", "--query", "primaryKey"))
          .isEqualTo(key);
      JsonNode blue = Await.until(() -> cli.okJson("online-deployment", "show", "-n", "blue", "-e", "all-ep",
          "--query", "instances"), b -> b.size() == 3 && b.findValuesAsText("state").stream().allMatch("Ready"::equals),
          Duration.ofSeconds(60), "3 Ready instances of blue");
      assertThat(blue.findValuesAsText("state")).containsExactly("Ready", "Ready", "Ready");
      JsonNode greenAfter = Await.until(() -> cli.okJson("online-deployment", "show", "-n", "green", "-e", "all-ep"),
          g -> g.path("instances").findValuesAsText("state").stream().filter("Ready"::equals).count() == 2,
          Duration.ofSeconds(60), "2 Ready instances of the autoscaled green");
      assertThat(greenAfter.path("scale_settings")).isEqualTo(greenBefore.path("scale_settings"));
      assertThat(greenAfter.path("scale_settings").path("max_instances").asInt()).isEqualTo(4);
      Path req = java.nio.file.Files.writeString(tmp.resolve("r.json"), "{}");
      assertThat(cli.ok("online-endpoint", "invoke", "-n", "all-ep", "--deployment-name", "green", "-r",
          req.toString())).isEqualTo("\"green\"");
    } finally {
      for (NodeProcess n : nodes) {
        n.stop();
      }
    }
  }
}
