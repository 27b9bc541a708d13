package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Node roles and instance types from node config: who hosts, who serves the API, which types exist. */
class RolesTest {
  @TempDir
  Path tmp;

  @Test
  void rolesAndInstanceTypesShapeTheCluster() throws Exception {
    String cluster = "roles-" + UUID.randomUUID();
    Path home = tmp.resolve("home");
    NodeProcess host = new NodeProcess(home, cluster).with("--instance-types", "Standard_DS3_v2,Standard_F4s_v2",
        "--capacity", "4").start();
    NodeProcess routerOnly = new NodeProcess(home, cluster).with("--roles", "router").start();
    try {
      // the router-only node started last: the CLI of this machine (node.json) is sent to a control-plane node
      Cli local = new Cli(home);
      local.ok("online-endpoint", "list");
      assertThat(Cli.JSON.readTree(home.resolve("node.json").toFile()).path("url").asText()).isEqualTo(host.url());
      // told to ask the router-only node, one line that says what to do, never its HTML page
      String refused = new Cli(home, routerOnly.url()).fails("online-endpoint", "list");
      assertThat(refused).contains("does not serve the control plane").contains(routerOnly.url())
          .doesNotContain("<html").doesNotContain("Resource not found");
      assertThat(refused.lines().count()).isEqualTo(1);
      Cli cli = new Cli(home, host.url());
      cli.ok("online-endpoint", "create", "-n", "roles-ep");
      Path yaml = Samples.repo().resolve("examples/java-echo/echo-deployment.yml");
      String err = cli.fails("online-deployment", "create", "-f", yaml.toString(), "-e", "roles-ep", "-n", "gpu",
          "--set", "instance_type=Standard_NC6");
      assertThat(err).contains("instance_type: no node of the cluster offers 'Standard_NC6'")
          .contains("Standard_DS3_v2");
      cli.ok("online-deployment", "create", "-f", yaml.toString(), "-e", "roles-ep", "-n", "echo", "--all-traffic",
          "--set", "instance_count=3");
      assertThat(cli.okJson("online-deployment", "show", "-n", "echo", "-e", "roles-ep", "--query",
          "instances[].node").toString()).isEqualTo("[\"node-%d\",\"node-%d\",\"node-%d\"]".formatted(host.port,
          host.port, host.port));
      // capacity 4: a fifth instance has nowhere to go, and the deployment says why
      String full = cli.fails("online-deployment", "update", "-n", "echo", "-e", "roles-ep", "--set", "instance_count=5");
      assertThat(full).contains("has free capacity");

      HttpClient http = HttpClient.newHttpClient();
      String token = Files.readString(home.resolve("admin-token")).trim();
      HttpResponse<String> api = http.send(HttpRequest.newBuilder(URI.create(routerOnly.url() + "/api/endpoints"))
          .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(api.statusCode()).as("a router-only node serves no control plane").isEqualTo(404);
      String key = cli.ok("online-endpoint", "get-credentials", "-n", "roles-ep", "-o", "tsv", "--query", "primaryKey");
      HttpResponse<String> scored = new Scoring(routerOnly).withKey("roles-ep", key, "[1]");
      assertThat(scored.statusCode()).isEqualTo(200);
      assertThat(scored.body()).isEqualTo("[1]");
      // the router-only node's requests cross to the host: over its scoring channel once it is up
      HttpResponse<String> nodes = http.send(HttpRequest.newBuilder(URI.create(host.url() + "/api/cluster"))
          .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(nodes.body()).contains("\"channel\" : \"127.0.0.1:").contains("\"channel\" : \"\"");
      Await.until(() -> new Scoring(routerOnly).withKey("roles-ep", key, "[2]").statusCode() == 200
          && routerOnly.metric("sluice_channels") == 1, Duration.ofSeconds(30), "a ready scoring channel");
      double before = routerOnly.metric("sluice_channel_calls_total");
      for (int i = 0; i < 20; i++) {
        HttpResponse<String> r = new Scoring(routerOnly).withKey("roles-ep", key, "[" + i + "]");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("[" + i + "]");
      }
      assertThat(routerOnly.metric("sluice_channel_calls_total") - before).isEqualTo(20);
    } finally {
      routerOnly.stop();
      host.stop();
    }
  }
}
