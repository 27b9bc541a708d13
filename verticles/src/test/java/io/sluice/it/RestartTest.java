package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stop the node, start it again on the same SLUICE_HOME: the desired state is back and instances run again. */
class RestartTest {
  @TempDir
  Path tmp;

  @Test
  void everythingAcknowledgedSurvivesARestartAndInstancesComeBack() throws Exception {
    Path dir = Samples.examples(tmp.resolve("own"));
    String sample = dir.resolve("endpoints/online/managed/sample").toString();
    String req = dir.resolve("endpoints/online/model-1/sample-request.json").toString();
    Path home = tmp.resolve("home");
    String cluster = "restart-" + UUID.randomUUID();
    Cli cli = new Cli(home);

    NodeProcess first = new NodeProcess(home, cluster).start();
    JsonNode before;
    String primary;
    String secondary;
    try {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("admin-token"))))
          .isEqualTo("rw-------");
      cli.ok("online-endpoint", "create", "--name", "keep-me", "-f", sample + "/endpoint.yml");
      cli.ok("online-deployment", "create", "-n", "blue", "-e", "keep-me", "-f", sample + "/blue-deployment.yml",
          "--all-traffic", "--set", "instance_count=2");
      cli.ok("online-deployment", "create", "-n", "green", "-e", "keep-me", "-f", sample + "/green-deployment.yml");
      cli.ok("online-endpoint", "update", "-n", "keep-me", "--mirror-traffic", "green=20");
      cli.ok("online-endpoint", "regenerate-keys", "-n", "keep-me", "--key-type", "secondary");
      cli.ok("model", "create", "-n", "kept-model", "-v", "3", "-p",
          dir.resolve("endpoints/online/model-1/model").toString());
      before = cli.okJson("online-endpoint", "show", "-n", "keep-me");
      primary = cli.ok("online-endpoint", "get-credentials", "-n", "keep-me", "-o", "tsv", "--query", "primaryKey");
      secondary = cli.ok("online-endpoint", "get-credentials", "-n", "keep-me", "-o", "tsv", "--query", "secondaryKey");
    } finally {
      first.stop();
    }
    assertThat(first.log()).doesNotContain(primary).doesNotContain(secondary);

    NodeProcess second = new NodeProcess(home, cluster, first.port).start();
    try {
      JsonNode after = cli.okJson("online-endpoint", "show", "-n", "keep-me");
      assertThat(after.path("traffic")).isEqualTo(before.path("traffic"));
      assertThat(after.path("mirror_traffic").toString()).isEqualTo("{\"green\":20}");
      assertThat(after.path("auth_mode").asText()).isEqualTo("key");
      assertThat(cli.ok("online-endpoint", "get-credentials", "-n", "keep-me", "-o", "tsv", "--query", "primaryKey"))
          .isEqualTo(primary);
      assertThat(cli.ok("online-endpoint", "get-credentials", "-n", "keep-me", "-o", "tsv", "--query",
          "secondaryKey")).isEqualTo(secondary);
      assertThat(cli.ok("model", "show", "-n", "kept-model", "-v", "3", "--query", "version", "-o", "tsv"))
          .isEqualTo("3");
      assertThat(cli.okJson("online-deployment", "list", "-e", "keep-me", "--query", "[].name").toString())
          .isEqualTo("[\"blue\",\"green\"]");

      // instances come back by themselves
      JsonNode blue = Await.until(() -> cli.okJson("online-deployment", "show", "-n", "blue", "-e", "keep-me"),
          b -> b.path("instances").findValuesAsText("state").stream().filter("Ready"::equals).count() >= 2,
          Duration.ofSeconds(60), "2 Ready instances of blue");
      assertThat(blue.path("instance_count").asInt()).isEqualTo(2);
      assertThat(blue.path("instances").findValuesAsText("state")).containsExactly("Ready", "Ready");

      // the old keys still work on the data plane, on the same URL
      // show reads the instance map; the router's table follows it within moments (a cold router paces its rebuilds)
      HttpResponse<String> r = Await.until(() -> new Scoring(second).withKey("keep-me", secondary,
          Files.readString(Path.of(req))), x -> x.statusCode() != 503, Duration.ofSeconds(10),
          "the router routing to blue's Ready instances");
      waitReady(cli, "green");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.headers().firstValue("azureml-model-deployment")).hasValue("blue");
      assertThat(cli.ok("online-endpoint", "invoke", "-n", "keep-me", "-r", req, "--deployment-name", "green"))
          .isEqualTo(Samples.GREEN);
    } finally {
      second.stop();
    }
  }

  private static void waitReady(Cli cli, String d) {
    Await.until(() -> cli.okJson("online-deployment", "show", "-n", d, "-e", "keep-me", "--query", "instances[].state")
        .toString().equals("[\"Ready\"]"), Duration.ofSeconds(60), "one Ready instance of " + d);
  }
}
