package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.store.StoreTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes as two machines would run them: separate SLUICE_HOMEs, one PostgreSQL store (--store-url). Each node
 * hosts an instance built from uploads it never saw; a restart of both brings everything back.
 */
class PostgresStoreTest {
  @TempDir
  Path tmp;

  @Test
  void twoNodesWithSeparateHomesShareOnePostgresStore() throws Exception {
    String store = StoreTest.postgres();
    String cluster = "pg-" + UUID.randomUUID();
    Path dir = Samples.examples(tmp.resolve("own"));
    String sample = dir.resolve("endpoints/online/managed/sample").toString();
    String req = dir.resolve("endpoints/online/model-1/sample-request.json").toString();
    NodeProcess a = new NodeProcess(tmp.resolve("machine-a"), cluster).with("--store-url", store).start();
    NodeProcess b = new NodeProcess(tmp.resolve("machine-b"), cluster).with("--store-url", store).start();
    Cli cli = new Cli(a.home, a.url());
    try {
      cli.ok("online-endpoint", "create", "-n", "pg-ep");
      JsonNode blue = cli.okJson("online-deployment", "create", "-n", "blue", "-e", "pg-ep", "-f",
          sample + "/blue-deployment.yml", "--all-traffic", "--set", "instance_count=2");
      Set<String> hosts = new HashSet<>(blue.path("instances").findValuesAsText("node"));
      assertThat(hosts).containsExactlyInAnyOrder("node-" + a.port, "node-" + b.port);
      // machine b's admin token came from the shared store: the CLI of machine b works with b's own files
      assertThat(new Cli(b.home, b.url()).ok("online-endpoint", "show", "-n", "pg-ep", "-o", "tsv", "--query", "name"))
          .isEqualTo("pg-ep");
    } finally {
      b.stop();
      a.stop();
    }
    NodeProcess a2 = new NodeProcess(a.home, cluster, a.port).with("--store-url", store).start();
    try {
      JsonNode traffic = cli.okJson("online-endpoint", "show", "-n", "pg-ep", "--query", "traffic");
      assertThat(traffic.toString()).isEqualTo("{\"blue\":100}");
      Await.until(() -> cli.ok("online-deployment", "show", "-n", "blue", "-e", "pg-ep", "--query", "instances[].state",
          "-o", "tsv").equals("Ready\nReady"), Duration.ofSeconds(60), "2 Ready instances of blue");
      assertThat(cli.ok("online-deployment", "show", "-n", "blue", "-e", "pg-ep", "--query", "instances[].node",
          "-o", "tsv")).isEqualTo("node-%d\nnode-%d".formatted(a.port, a.port));
      JsonNode answer = Cli.JSON.readTree(cli.ok("online-endpoint", "invoke", "-n", "pg-ep", "-r", req));
      assertThat(answer.get(0).asDouble()).isBetween(38506.99, 38507.01);
    } finally {
      a2.stop();
    }
  }
}
