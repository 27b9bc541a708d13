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

/** Bad input gets a clear error naming the field and the rule, and changes nothing (real node, real CLI). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ValidationTest {
  @TempDir
  static Path tmp;
  NodeProcess node;
  Cli cli;
  String sample;
  Path dir;

  @BeforeAll
  void setUp() throws Exception {
    // uploads nothing refers to are removed after 6 s here (an hour by default)
    Path conf = Files.writeString(tmp.resolve("node.yaml"), "limits:\n  upload_grace_seconds: 6\n");
    node = new NodeProcess(tmp.resolve("home"), "valid-" + UUID.randomUUID()).with("--config", conf.toString())
        .start();
    cli = new Cli(node.home);
    dir = Samples.examples(tmp.resolve("own"));
    sample = dir.resolve("endpoints/online/managed/sample").toString();
    cli.ok("online-endpoint", "create", "-n", "val-ep", "-f", sample + "/endpoint.yml");
    cli.ok("online-deployment", "create", "-n", "blue", "-e", "val-ep", "-f", sample + "/blue-deployment.yml",
        "--all-traffic");
    cli.ok("online-deployment", "create", "-n", "green", "-e", "val-ep", "-f", sample + "/green-deployment.yml",
        "--no-wait");
  }

  @AfterAll
  void tearDown() throws Exception {
    node.stop();
  }

  private JsonNode state() {
    JsonNode e = cli.okJson("online-endpoint", "show", "-n", "val-ep");
    return Cli.JSON.createObjectNode().put("traffic", e.path("traffic").toString())
        .put("mirror", e.path("mirror_traffic").toString())
        .put("endpoints", cli.okJson("online-endpoint", "list", "--query", "[].name").toString())
        .put("deployments", cli.okJson("online-deployment", "list", "-e", "val-ep", "--query",
            "[].[name, instance_count]").toString());
  }

  private void refused(String expected, String... args) {
    JsonNode before = state();
    assertThat(cli.fails(args)).contains(expected);
    assertThat(state()).isEqualTo(before);
  }

  /**
   * az applies every --set to the document first: a file written for another endpoint (Azure's placeholder) is
   * created where --set says, with the name --set gives. No input ever gets a Java stack trace (--debug adds it).
   */
  @Test
  void setAppliesBeforeAnythingAndNoInputGetsAStackTrace() throws Exception {
    Path placeholder = Files.writeString(Path.of(sample, "placeholder.yml"), Files.readString(Path.of(sample,
        "blue-deployment.yml")).replace("endpoint_name: my-endpoint", "endpoint_name: <my-endpoint-name>")
        .replace("code: ../../model-1/onlinescoring/", "code: nowhere/"));
    JsonNode made = cli.okJson("online-deployment", "create", "-f", placeholder.toString(), "--set",
        "endpoint_name=val-ep", "--set", "name=from-set", "code_configuration.code=../../model-1/onlinescoring/",
        "--no-wait");
    assertThat(made.path("name").asText()).isEqualTo("from-set");
    assertThat(made.path("endpoint_name").asText()).isEqualTo("val-ep");
    cli.ok("online-deployment", "delete", "-n", "from-set", "-e", "val-ep", "--yes");

    for (String[] args : new String[][] {
        {"online-deployment", "create", "-f", placeholder.toString()},
        {"online-endpoint", "show", "-n", "a b/c?d#e%"},
        {"online-deployment", "show", "-n", "<x>", "-e", "val-ep"},
        {"model", "show", "-n", "no such/model"},
        {"online-deployment", "create", "-f", placeholder.toString(), "--set", "endpoint_name=val-ep",
            "code_configuration.code=nowhere/"}}) {
      String err = cli.fails(args);
      assertThat(err).as(String.join(" ", args)).startsWith("ERROR: ").doesNotContain("\tat ")
          .doesNotContain("Exception");
    }
    assertThat(cli.fails("online-endpoint", "show", "-n", "a b/c?d#e%")).contains("not found");
    assertThat(cli.fails("online-endpoint", "show", "-n", "<x>", "--debug")).contains("io.sluice.cli.CliException");
  }

  @Test
  void endpointNamesAndFields() throws Exception {
    refused("at least 3 and at most 32", "online-endpoint", "create", "-n", "ab");
    refused("at least 3 and at most 32", "online-endpoint", "create", "-n", "a".repeat(33));
    refused("must start with an upper- or lowercase letter", "online-endpoint", "create", "-n", "1abc");
    refused("single '-'s", "online-endpoint", "create", "-n", "my--endpoint");
    refused("not ending with '-'", "online-endpoint", "create", "-n", "my-endpoint-");
    refused("auth_mode: must be one of key, aml_token", "online-endpoint", "create", "-n", "okname",
        "--auth-mode", "password");
    refused("already exists", "online-endpoint", "create", "-n", "val-ep");
    Path unknown = Files.writeString(tmp.resolve("unknown.yml"), "name: good-name\nauth_mod: key\n");
    refused("auth_mod: unknown field", "online-endpoint", "create", "-f", unknown.toString());
    Path notYaml = Files.writeString(tmp.resolve("bad.yml"), "name: [unclosed\n  auth_mode: key");
    refused("is not valid YAML", "online-endpoint", "create", "-f", notYaml.toString());
    refused("file not found", "online-endpoint", "create", "-f", tmp.resolve("missing.yml").toString());
    refused("traffic cannot be set when an endpoint is created", "online-endpoint", "create", "-n", "new-ep",
        "--set", "traffic.blue=100");
    refused("not found", "online-endpoint", "show", "-n", "no-such-endpoint");
  }

  @Test
  void trafficRules() {
    refused("no deployment named 'red'", "online-endpoint", "update", "-n", "val-ep", "--traffic", "blue=90 red=10");
    refused("sum to 0 (no live traffic) or 100; they sum to 90", "online-endpoint", "update", "-n", "val-ep",
        "--traffic", "blue=90");
    refused("at most 50 percent", "online-endpoint", "update", "-n", "val-ep", "--mirror-traffic", "green=60");
    refused("at most one deployment", "online-endpoint", "update", "-n", "val-ep", "--mirror-traffic",
        "green=10 blue=10");
    refused("live or mirrored traffic, not both", "online-endpoint", "update", "-n", "val-ep", "--mirror-traffic",
        "blue=10");
    refused("is not name=percent", "online-endpoint", "update", "-n", "val-ep", "--traffic", "blue:100");
    refused("whole number from 0 to 100", "online-endpoint", "update", "-n", "val-ep", "--traffic", "blue=1000");
    refused("has 100% of the live traffic", "online-deployment", "delete", "-n", "blue", "-e", "val-ep", "--yes");
  }

  @Test
  void deploymentRules() throws Exception {
    String blue = sample + "/blue-deployment.yml";
    refused("already exists", "online-deployment", "create", "-n", "blue", "-e", "val-ep", "-f", blue);
    refused("instance_count: must be from 1", "online-deployment", "create", "-n", "red", "-e", "val-ep", "-f", blue,
        "--set", "instance_count=0");
    refused("instance_count: must be from 1", "online-deployment", "update", "-n", "blue", "-e", "val-ep",
        "--set", "instance_count=0");
    refused("request_settings.request_timeout_ms: must be from 1 to 180000", "online-deployment", "create", "-n",
        "red", "-e", "val-ep", "-f", blue, "--set", "request_settings.request_timeout_ms=999999");
    refused("instance_typo: unknown field", "online-deployment", "create", "-n", "red", "-e", "val-ep", "-f", blue,
        "--set", "instance_typo=x");
    refused("endpoint 'nowhere' not found", "online-deployment", "create", "-n", "red", "-e", "nowhere", "-f", blue);
    refused("the name for a deployment must be at least 3", "online-deployment", "create", "-n", "rd", "-e",
        "val-ep", "-f", blue);
    Path noModel = Files.writeString(dir.resolve("endpoints/online/managed/sample/no-model.yml"),
        Files.readString(Path.of(blue)).replace("model-1/model/", "model-9/model/"));
    refused("model.path: not found", "online-deployment", "create", "-n", "red", "-e", "val-ep", "-f",
        noModel.toString());
    Path noScript = Files.writeString(dir.resolve("endpoints/online/managed/sample/no-script.yml"),
        Files.readString(Path.of(blue)).replace("scoring_script: score.py", "scoring_script: scor.py"));
    refused("scor.py not found", "online-deployment", "create", "-n", "red", "-e", "val-ep", "-f",
        noScript.toString());
    Path unregistered = Files.writeString(dir.resolve("endpoints/online/managed/sample/unregistered.yml"),
        Files.readString(Path.of(blue)).replaceAll("model:\\n  path: .*\\n", "model: azureml:nobody:1\n"));
    refused("model: 'azureml:nobody:1' is not registered", "online-deployment", "create", "-n", "red", "-e", "val-ep",
        "-f", unregistered.toString());
    refused("--query: 'traffic[' is not a valid JMESPath expression", "online-endpoint", "show", "-n", "val-ep",
        "--query", "traffic[");
    refused("--output: 'xml' is not one of", "online-endpoint", "show", "-n", "val-ep", "-o", "xml");
  }

  @Test
  void uploadsHoldOnlyPlainFilesOfTheFolder() throws Exception {
    Path model = Files.createDirectories(tmp.resolve("linked/model"));
    Files.writeString(model.resolve("weights.txt"), "1");
    Files.createSymbolicLink(model.resolve("passwd"), Path.of("/etc/passwd"));
    refused("refusing symbolic link", "model", "create", "-n", "linked", "-v", "1", "-p", model.toString());
    String token = Files.readString(node.home.resolve("admin-token")).trim();
    HttpResponse<String> notZip = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(node.url() + "/api/files")).header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString("not a zip")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(notZip.statusCode()).isEqualTo(400);
    assertThat(notZip.body()).contains("zip");
  }

  /** An /api/ call with the admin token and, when {@code requestId} is given, an x-ms-client-request-id. */
  private HttpResponse<String> api(String method, String path, String body, String requestId, String... headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.url() + path))
        .header("Authorization", "Bearer " + Files.readString(node.home.resolve("admin-token")).trim())
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (requestId != null) {
      b.header("x-ms-client-request-id", requestId);
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aChangeRepeatedWithItsClientRequestIdGetsItsFirstAnswer() throws Exception {
    String id = "retry-" + UUID.randomUUID();
    HttpResponse<String> first = api("POST", "/api/endpoints", "{\"name\": \"idem-ep\"}", id);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
    assertThat(first.headers().firstValue("x-ms-client-request-id")).contains(id);
    HttpResponse<String> again = api("POST", "/api/endpoints", "{\"name\": \"idem-ep\"}", id);
    assertThat(again.statusCode()).as(again.body()).isEqualTo(201);
    assertThat(Cli.JSON.readTree(again.body())).isEqualTo(Cli.JSON.readTree(first.body()));
    // without the id the same request is a second create: 409
    assertThat(api("POST", "/api/endpoints", "{\"name\": \"idem-ep\"}", null).statusCode()).isEqualTo(409);
    // the id with another request: 400 naming the header, and nothing created
    HttpResponse<String> reused = api("POST", "/api/endpoints", "{\"name\": \"idem-other\"}", id);
    assertThat(reused.statusCode()).isEqualTo(400);
    assertThat(reused.body()).contains("x-ms-client-request-id").contains("different request");
    assertThat(api("GET", "/api/endpoints/idem-other", null, null).statusCode()).isEqualTo(404);
    HttpResponse<String> bad = api("POST", "/api/endpoints", "{\"name\": \"idem-other\"}", "a/b");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("x-ms-client-request-id: must be 1 to 100");
    // an update under If-Match, repeated: the first answer again, not "changed by another update"
    int revision = Cli.JSON.readTree(first.body()).path("revision").asInt();
    String patchId = "patch-" + UUID.randomUUID();
    HttpResponse<String> patched = api("PATCH", "/api/endpoints/idem-ep", "{\"description\": \"once\"}", patchId,
        "If-Match", String.valueOf(revision));
    assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
    HttpResponse<String> repeated = api("PATCH", "/api/endpoints/idem-ep", "{\"description\": \"once\"}", patchId,
        "If-Match", String.valueOf(revision));
    assertThat(repeated.statusCode()).as(repeated.body()).isEqualTo(200);
    assertThat(Cli.JSON.readTree(repeated.body())).isEqualTo(Cli.JSON.readTree(patched.body()));
    assertThat(cli.okJson("online-endpoint", "show", "-n", "idem-ep").path("revision").asInt()).isEqualTo(revision + 1);
    assertThat(api("PATCH", "/api/endpoints/idem-ep", "{\"description\": \"once\"}", null, "If-Match",
        String.valueOf(revision)).statusCode()).isEqualTo(412);
    cli.ok("online-endpoint", "delete", "-n", "idem-ep", "--yes");
  }

  /** resources.requests count against what nodes declare (here, this machine's cores): too much fails, named. */
  @Test
  void aDeploymentWhoseRequestsFitNoNodeFailsNamingTheResource() throws Exception {
    String err = cli.fails("online-deployment", "create", "-n", "huge", "-e", "val-ep", "-f", sample
        + "/blue-deployment.yml", "--set", "resources.requests.cpu=512");
    assertThat(err).contains("resources.requests.cpu: no node offering instance_type Standard_DS3_v2 has 512000m "
        + "cpu free for 1 more instance(s)");
    assertThat(cli.ok("online-deployment", "show", "-n", "huge", "-e", "val-ep", "--query", "provisioning_state",
        "-o", "tsv")).isEqualTo("Failed");
    cli.ok("online-deployment", "delete", "-n", "huge", "-e", "val-ep", "--yes");
  }

  @Test
  void uploadsNothingRefersToAreRemovedAfterTheGracePeriod() throws Exception {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(bytes)) {
      z.putNextEntry(new java.util.zip.ZipEntry("score.py"));
      z.write(("# orphan " + UUID.randomUUID() + "\ndef init():\n  pass\ndef run(d):\n  return d\n").getBytes());
      z.closeEntry();
    }
    HttpResponse<String> up = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(node.url()
            + "/api/files")).header("Authorization", "Bearer " + Files.readString(node.home.resolve("admin-token"))
            .trim()).header("Content-Type", "application/zip")
        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(up.statusCode()).as(up.body()).isEqualTo(201);
    String orphan = Cli.JSON.readTree(up.body()).path("id").asText();
    String inUse = cli.okJson("online-deployment", "show", "-n", "blue", "-e", "val-ep").path("code_configuration")
        .path("code").asText();
    assertThat(inUse).startsWith("sha256:");
    assertThat(storedFiles()).contains(orphan, inUse);
    Await.until(() -> !storedFiles().contains(orphan), Duration.ofSeconds(60), "the orphan upload removed");
    assertThat(storedFiles()).contains(inUse);
    // what refers to a removed upload is told to upload it again
    HttpResponse<String> late = api("POST", "/api/models", "{\"name\": \"gone-model\", \"version\": \"1\", "
        + "\"path\": \"" + orphan + "\"}", null);
    assertThat(late.statusCode()).isEqualTo(400);
    assertThat(late.body()).contains("path: uploaded file " + orphan + " is not in the store; upload the folder again");
  }

  /** The ids in the node's store, read through H2's own server (the node serves the file to other processes). */
  private List<String> storedFiles() throws Exception {
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(
        io.sluice.store.Store.defaultUrl(node.home), "sa", "");
         java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT id FROM files")) {
      List<String> ids = new java.util.ArrayList<>();
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
      return ids;
    }
  }

  @Test
  void ofTwoConflictingUpdatesOneWinsAndTheOtherIsTold() throws Exception {
    String token = Files.readString(node.home.resolve("admin-token")).trim();
    int revision = cli.okJson("online-endpoint", "show", "-n", "val-ep").path("revision").asInt();
    assertThat(revision).isPositive();
    HttpClient http = HttpClient.newHttpClient();
    java.util.function.Function<String, HttpResponse<String>> patch = body -> {
      try {
        return http.send(HttpRequest.newBuilder(URI.create(node.url() + "/api/endpoints/val-ep"))
            .header("Authorization", "Bearer " + token).header("If-Match", String.valueOf(revision))
            .method("PATCH", HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
    var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> patch.apply("{\"description\": \"first\"}"));
    var second = java.util.concurrent.CompletableFuture.supplyAsync(() -> patch.apply("{\"description\": \"second\"}"));
    List<Integer> codes = java.util.stream.Stream.of(first.join(), second.join()).map(HttpResponse::statusCode)
        .sorted().toList();
    assertThat(codes).containsExactly(200, 412);
    HttpResponse<String> loser = first.join().statusCode() == 412 ? first.join() : second.join();
    assertThat(loser.body()).contains("changed by another update");
    String winner = first.join().statusCode() == 200 ? "first" : "second";
    JsonNode now = cli.okJson("online-endpoint", "show", "-n", "val-ep");
    assertThat(now.path("description").asText()).isEqualTo(winner);
    assertThat(now.path("revision").asInt()).isEqualTo(revision + 1);
  }

  @Test
  void controlPlaneNeedsTheAdminToken() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    for (String auth : new String[] {null, "Bearer wrong-token", "Basic abc"}) {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.url() + "/api/endpoints"));
      if (auth != null) {
        b.header("Authorization", auth);
      }
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.body()).contains("Unauthorized");
    }
  }

  @Test
  void dataPlaneStatusCodes() throws Exception {
    String key = cli.ok("online-endpoint", "get-credentials", "-n", "val-ep", "-o", "tsv", "--query", "primaryKey");
    String body = Files.readString(dir.resolve("endpoints/online/model-1/sample-request.json"));
    assertThat(score("val-ep", "wrong", null, body).statusCode()).isEqualTo(401);
    assertThat(score("val-ep", null, null, body).statusCode()).isEqualTo(401);
    assertThat(score("no-such-ep", key, null, body).statusCode()).isEqualTo(404);
    HttpResponse<String> pinnedMissing = score("val-ep", key, "purple", body);
    assertThat(pinnedMissing.statusCode()).isEqualTo(404);
    assertThat(pinnedMissing.body()).contains("purple");
    // a script error is Azure's 424 with the model's status in a header
    HttpResponse<String> modelError = score("val-ep", key, "blue", "{\"data\": \"not rows\"}");
    assertThat(modelError.statusCode()).isEqualTo(424);
    assertThat(modelError.headers().firstValue("ms-azureml-model-error-statuscode")).hasValue("500");
    assertThat(modelError.headers().firstValue("ms-azureml-model-error-reason")).hasValue("model_error");
    // no deployment with positive weight and no header: Azure's 404
    cli.ok("online-endpoint", "update", "-n", "val-ep", "--traffic", "blue=0");
    try {
      HttpResponse<String> none = score("val-ep", key, null, body);
      assertThat(none.statusCode()).isEqualTo(404);
      assertThat(none.body()).contains("No valid deployments to route to");
      assertThat(score("val-ep", key, "blue", body).statusCode()).isEqualTo(200);
    } finally {
      cli.ok("online-endpoint", "update", "-n", "val-ep", "--traffic", "blue=100");
    }
    HttpResponse<String> longId = score("val-ep", key, null, body, "x".repeat(101));
    assertThat(longId.statusCode()).isEqualTo(431);
    HttpResponse<String> echoed = score("val-ep", key, null, body, "my-request-1");
    assertThat(echoed.headers().firstValue("x-request-id")).hasValue("my-request-1");
  }

  private HttpResponse<String> score(String ep, String key, String deployment, String body) throws Exception {
    return score(ep, key, deployment, body, null);
  }

  private HttpResponse<String> score(String ep, String key, String deployment, String body, String requestId)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.url() + "/endpoints/" + ep + "/score"))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    if (deployment != null) {
      b.header("azureml-model-deployment", deployment);
    }
    if (requestId != null) {
      b.header("x-request-id", requestId);
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
