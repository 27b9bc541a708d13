package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 of the supervisor leader in the middle of a scale-up: the next leader finishes the job, exactly. */
class LeaderFailoverTest {
  @TempDir
  Path tmp;

  @Test
  void theNextLeaderFinishesAScaleUpWithExactlyTheDesiredCount() throws Exception {
    String cluster = "leader-" + UUID.randomUUID();
    List<NodeProcess> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        nodes.add(new NodeProcess(tmp.resolve("home"), cluster).start());
      }
      NodeProcess leader = nodes.get(0); // the oldest member leads
      Cli cli = new Cli(tmp.resolve("home"), nodes.get(1).url());
      cli.ok("online-endpoint", "create", "-n", "lead-ep");
      cli.ok("online-deployment", "create", "-f", Samples.repo().resolve("examples/java-echo/echo-deployment.yml")
          .toString(), "-e", "lead-ep", "-n", "echo", "--all-traffic");
      cli.ok("online-deployment", "update", "-n", "echo", "-e", "lead-ep", "--set", "instance_count=8", "--no-wait");
      leader.kill();
      String victim = "node-" + leader.port;
      JsonNode inst;
      try {
        inst = Await.until(() -> cli.okJson("online-deployment", "show", "-n", "echo", "-e", "lead-ep", "--query",
            "instances"), i -> i.size() == 8 && i.findValuesAsText("state").stream().allMatch("Ready"::equals)
            && !i.findValuesAsText("node").contains(victim), Duration.ofSeconds(60), "8 Ready instances off " + victim);
      } catch (AssertionError timedOut) {
        inst = cli.okJson("online-deployment", "show", "-n", "echo", "-e", "lead-ep", "--query", "instances");
      }
      StringBuilder logs = new StringBuilder();
      for (NodeProcess n : nodes.subList(1, 3)) {
        String l = n.log();
        logs.append("\n--- node ").append(n.port).append(" ---\n").append(l.substring(Math.max(0, l.length() - 6000)));
      }
      assertThat(inst.size()).as("%s%s", inst, logs).isEqualTo(8);
      assertThat(inst.findValuesAsText("state")).as("%s%s", inst, logs).containsOnly("Ready");
      assertThat(inst.findValuesAsText("node")).doesNotContain(victim);
      assertThat(new HashSet<>(inst.findValuesAsText("id"))).hasSize(8);
      // nothing extra outlives the failover (a surplus spawn by the new leader would show within its next rounds)
      Await.stable(() -> cli.okJson("online-deployment", "show", "-n", "echo", "-e", "lead-ep", "--query",
          "instances").size() == 8, Duration.ofMillis(2500), Duration.ofSeconds(30), "exactly 8 instances");
      assertThat(cli.ok("online-deployment", "show", "-n", "echo", "-e", "lead-ep", "--query", "provisioning_state",
          "-o", "tsv")).isEqualTo("Succeeded");
    } finally {
      for (NodeProcess n : nodes) {
        n.kill();
      }
    }
  }
}
