package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random control-plane input against a real node: whatever arrives, the answer is never a 5xx, and a refused
 * request changes nothing.
 */
class ControlPlaneFuzzTest {
  static NodeProcess node;
  static String token;
  static Path home;
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeContainer
  static void start() throws Exception {
    home = Files.createTempDirectory("sluice-fuzz");
    node = new NodeProcess(home, "fuzz-" + UUID.randomUUID()).start();
    token = Files.readString(home.resolve("admin-token")).trim();
    Cli cli = new Cli(home);
    cli.ok("online-endpoint", "create", "-n", "fuzz-ep");
    cli.ok("online-deployment", "create", "-f", Samples.repo().resolve("examples/java-echo/echo-deployment.yml")
        .toString(), "-e", "fuzz-ep", "-n", "blue", "--all-traffic");
  }

  @AfterContainer
  static void stop() throws Exception {
    node.stop();
  }

  static HttpResponse<String> call(String method, String path, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(node.url() + path)).header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The whole state a refused request must leave alone: the endpoint document (traffic, mirror, auth mode, tags,
   * description, revision), its keys, every deployment's document (settings, counts, code, model; not the instances'
   * moment-to-moment states), the endpoint list, and the registered models and environments.
   */
  static String state() throws Exception {
    JsonNode e = Cli.JSON.readTree(call("GET", "/api/endpoints/fuzz-ep", "").body());
    JsonNode keys = Cli.JSON.readTree(call("POST", "/api/endpoints/fuzz-ep/listKeys", "").body());
    JsonNode d = Cli.JSON.readTree(call("GET", "/api/endpoints/fuzz-ep/deployments", "").body());
    for (JsonNode dep : d.path("value")) {
      ((com.fasterxml.jackson.databind.node.ObjectNode) dep).remove("instances");
    }
    return e + "|" + keys + "|" + d + "|" + Cli.JSON.readTree(call("GET", "/api/endpoints", "").body())
        .path("value").findValuesAsText("name") + "|" + call("GET", "/api/models", "").body() + "|"
        + call("GET", "/api/environments", "").body();
  }

  /** Values, nested up to three levels deep: objects and arrays of the keys and values below. */
  static Arbitrary<String> value(int depth) {
    Arbitrary<String> leaf = Arbitraries.oneOf(Arbitraries.of("null", "true", "0", "-1", "101", "50", "1.5",
            "1e309", "\"key\"", "\"aml_token\"", "\"\"", "\"a--b\"", "[]", "{}", "{\"blue\": 100}",
            "{\"blue\": 60}", "{\"green\": 10}", "{\"blue\": \"x\"}", "\"sha256:zz\"", "\"Standard_DS3_v2\""),
        Arbitraries.strings().ofMaxLength(12).map(s -> Cli.JSON.valueToTree(s).toString()));
    if (depth == 0) {
      return leaf;
    }
    Arbitrary<String> nested = Arbitraries.lazy(() -> value(depth - 1));
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, leaf),
        net.jqwik.api.Tuple.of(2, object(nested)),
        net.jqwik.api.Tuple.of(1, nested.list().ofMaxSize(3).map(l -> "[" + String.join(",", l) + "]")));
  }

  static Arbitrary<String> object(Arbitrary<String> values) {
    Arbitrary<String> keys = Arbitraries.of("name", "auth_mode", "traffic", "mirror_traffic", "tags", "description",
        "instance_count", "instance_type", "model", "environment", "code_configuration", "request_settings", "blue",
        "green", "$schema", "x", "path", "version", "code", "scoring_script", "keyType", "tail",
        "max_concurrent_requests_per_instance", "request_timeout_ms", "liveness_probe", "environment_variables");
    return Arbitraries.maps(keys, values).ofMaxSize(5).map(m -> {
      StringBuilder sb = new StringBuilder("{");
      m.forEach((k, v) -> sb.append(sb.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
      return sb.append('}').toString();
    });
  }

  /** Mostly objects (nested), sometimes not JSON at all, or JSON that is not an object, or absurdly deep. */
  @Provide
  Arbitrary<String> jsonish() {
    Arbitrary<String> malformed = Arbitraries.of("{", "[", "{\"name\":", "not json", "", "null", "[]", "\"text\"",
        "{\"a\":1}}", "{\"name\": \"x\",}", "\u0000", "[".repeat(5000) + "]".repeat(5000),
        "{\"a\":".repeat(3000) + "1" + "}".repeat(3000));
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(8, object(value(2))), net.jqwik.api.Tuple.of(2, malformed))
        .injectDuplicates(0.05);
  }

  @Property(tries = 80)
  void noRandomInputMakesA5xxOrAChangeWhenRefused(@ForAll("jsonish") String body,
                                                   @ForAll("target") String[] target) throws Exception {
    String before = state();
    HttpResponse<String> r = call(target[0], target[1], body);
    assertThat(r.statusCode()).as("%s %s %s -> %s", target[0], target[1], body, r.body()).isLessThan(500);
    if (r.statusCode() >= 400) {
      assertThat(r.body()).contains("\"message\"");
      assertThat(state()).as("refused %s %s %s", target[0], target[1], body).isEqualTo(before);
    } else {
      // an accepted change is undone so every try starts from the same state
      call("POST", "/api/endpoints/fuzz-ep/rollout/abort", "");
      call("PATCH", "/api/endpoints/fuzz-ep", "{\"traffic\": {\"blue\": 100}, \"mirror_traffic\": {}, "
          + "\"auth_mode\": \"key\"}");
      for (String extra : List.of("new-ep", "ep-x")) {
        call("DELETE", "/api/endpoints/" + extra, "");
      }
    }
  }

  @Provide
  Arbitrary<String[]> target() {
    return Arbitraries.of(new String[] {"PATCH", "/api/endpoints/fuzz-ep"}, new String[] {"POST", "/api/endpoints"},
        new String[] {"POST", "/api/endpoints/fuzz-ep/deployments"},
        new String[] {"PUT", "/api/endpoints/fuzz-ep/deployments/blue"},
        new String[] {"POST", "/api/models"}, new String[] {"POST", "/api/environments"},
        new String[] {"POST", "/api/endpoints/fuzz-ep/regenerateKeys"},
        new String[] {"POST", "/api/endpoints/fuzz-ep/deployments/blue/getLogs"},
        new String[] {"POST", "/api/files"}, new String[] {"POST", "/api/endpoints/fuzz-ep/rollout"},
        new String[] {"DELETE", "/api/endpoints/fuzz-ep/deployments/nobody"});
  }
}
