package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice online-endpoint …}: az ml online-endpoint, verb for verb. */
@Command(name = "online-endpoint", description = "Manage online endpoints.",
    subcommands = {EndpointCommands.Create.class, EndpointCommands.Show.class, EndpointCommands.ListCmd.class,
        EndpointCommands.Update.class, EndpointCommands.Invoke.class, EndpointCommands.GetCredentials.class,
        EndpointCommands.RegenerateKeys.class, EndpointCommands.Delete.class, RolloutCommands.class,
        EndpointCommands.MirrorReport.class})
final class EndpointCommands {

  static String path(String name) {
    return "/api/endpoints/" + ApiClient.segment(name);
  }

  @Command(name = "create", description = "Create an endpoint.", footer = {"", "Example:",
      "  sluice online-endpoint create --name my-endpoint -f endpoints/online/managed/sample/endpoint.yml"})
  static final class Create implements Callable<Integer> {
    @Mixin Common c;
    @Option(names = {"-n", "--name"}) String name;
    @Option(names = {"-f", "--file"}) Path file;
    @Option(names = "--auth-mode") String authMode;
    @Option(names = "--set", arity = "1..*") List<String> set;
    @Option(names = "--no-wait") boolean noWait;

    @Override
    public Integer call() {
      c.checkQuery();
      ObjectNode spec = file != null ? SpecFiles.read(file) : ApiClient.JSON.createObjectNode();
      if (name != null) {
        spec.put("name", name);
      }
      if (authMode != null) {
        spec.put("auth_mode", authMode);
      }
      SpecFiles.set(spec, set);
      if (!spec.hasNonNull("name")) {
        throw new CliException("--name: an endpoint name is required (the YAML has none)");
      }
      c.print(c.api().post("/api/endpoints", spec));
      return 0;
    }
  }

  @Command(name = "show", description = "Show an endpoint.", footer = {"", "Example:",
      "  sluice online-endpoint show -n my-endpoint --query traffic"})
  static final class Show implements Callable<Integer> {
    @Mixin Common c;
    @Option(names = {"-n", "--name"}, required = true) String name;

    @Override
    public Integer call() {
      c.checkQuery();
      c.print(c.api().get(path(name)));
      return 0;
    }
  }

  @Command(name = "list", description = "List endpoints.")
  static final class ListCmd implements Callable<Integer> {
    @Mixin Common c;

    @Override
    public Integer call() {
      c.checkQuery();
      c.print(c.api().get("/api/endpoints").path("value"));
      return 0;
    }
  }

  @Command(name = "update", description = "Update an endpoint: traffic, mirror traffic, description, tags.",
      footer = {"", "Example:", "  sluice online-endpoint update --name my-endpoint --traffic \"blue=90 green=10\""})
  static final class Update implements Callable<Integer> {
    @Mixin Common c;
    @Option(names = {"-n", "--name"}) String name;
    @Option(names = {"-f", "--file"}) Path file;
    @Option(names = "--traffic", description = "e.g. \"blue=90 green=10\"") String traffic;
    @Option(names = "--mirror-traffic", description = "e.g. \"green=10\"; \"green=0\" turns mirroring off")
    String mirror;
    @Option(names = "--set", arity = "1..*") List<String> set;
    @Option(names = "--no-wait") boolean noWait;

    @Override
    public Integer call() {
      c.checkQuery();
      ObjectNode patch = ApiClient.JSON.createObjectNode();
      if (file != null) {
        ObjectNode f = SpecFiles.read(file);
        patch.setAll(f);
        if (name == null) {
          name = f.path("name").asText(null);
        }
      }
      if (name == null) {
        throw new CliException("--name: the endpoint to update is required");
      }
      patch.put("name", name);
      ObjectNode current = (ObjectNode) c.api().get(path(name));
      if (set != null) {
        ObjectNode editable = ApiClient.JSON.createObjectNode();
        for (String f : new String[] {"description", "tags", "auth_mode", "traffic", "mirror_traffic",
            "mirror_comparison"}) {
          if (patch.has(f)) {
            editable.set(f, patch.get(f));
          } else if (current.has(f)) {
            editable.set(f, current.get(f));
          }
        }
        SpecFiles.set(editable, set);
        patch.setAll(editable);
      }
      if (traffic != null) {
        patch.set("traffic", ApiClient.JSON.valueToTree(TrafficArg.parse("--traffic", traffic)));
      }
      if (mirror != null) {
        patch.set("mirror_traffic", ApiClient.JSON.valueToTree(TrafficArg.parse("--mirror-traffic", mirror)));
      }
      c.print(c.api().patch(path(name), patch, current.get("revision")));
      return 0;
    }
  }

  @Command(name = "invoke", description = "Send a request file to an endpoint and print the answer.",
      footer = {"", "Example:", "  sluice online-endpoint invoke --name my-endpoint --request-file "
          + "endpoints/online/model-1/sample-request.json"})
  static final class Invoke implements Callable<Integer> {
    @Mixin Common c;
    @Option(names = {"-n", "--name"}, required = true) String name;
    @Option(names = {"-r", "--request-file"}, required = true) Path requestFile;
    @Option(names = {"-d", "--deployment-name"}) String deployment;

    @Override
    public Integer call() throws IOException {
      if (!Files.isRegularFile(requestFile)) {
        throw new CliException("--request-file: file not found: " + requestFile);
      }
      byte[] body = Files.readAllBytes(requestFile);
      JsonNode ep = c.api().get(path(name));
      String key = credential(c, ep);
      HttpResponse<byte[]> r = c.api().score(ep.path("scoring_uri").asText(), key, deployment, body);
      String text = new String(r.body(), StandardCharsets.UTF_8);
      if (r.statusCode() >= 400) {
        String d = r.headers().firstValue("azureml-model-deployment").map(x -> ", deployment " + x).orElse("");
        throw new CliException(r.statusCode(), "scoring failed with HTTP " + r.statusCode() + d + ": " + text);
      }
      c.out().println(text);
      c.out().flush();
      return 0;
    }
  }

  @Command(name = "get-credentials", description = "Show the endpoint's keys.", footer = {"", "Example:",
      "  sluice online-endpoint get-credentials -n my-endpoint -o tsv --query primaryKey"})
  static final class GetCredentials implements Callable<Integer> {
    @Mixin Common c;
    @Option(names = {"-n", "--name"}, required = true) String name;

    @Override
    public Integer call() {
      c.checkQuery();
      c.print(credentials(c, c.api().get(path(name))));
      return 0;
    }
  }

  /** az's get-credentials: the keys of a key endpoint, a fresh access token of an aml_token endpoint. */
  static JsonNode credentials(Common c, JsonNode endpoint) {
    String name = endpoint.path("name").asText();
    return "aml_token".equals(endpoint.path("auth_mode").asText()) ? c.api().post(path(name) + "/token", null)
        : c.api().post(path(name) + "/listKeys", null);
  }

  static String credential(Common c, JsonNode endpoint) {
    JsonNode cred = credentials(c, endpoint);
    return cred.has("accessToken") ? cred.path("accessToken").asText() : cred.path("primaryKey").asText();
  }

  @Command(name = "regenerate-keys", description = "Replace the primary or the secondary key.")
  static final class RegenerateKeys implements Callable<Integer> {
    @Mixin Common c;
    @Option(names = {"-n", "--name"}, required = true) String name;
    @Option(names = "--key-type", defaultValue = "primary", description = "primary (default) or secondary")
    String keyType;
    @Option(names = "--no-wait") boolean noWait;

    @Override
    public Integer call() {
      c.checkQuery();
      c.api().post(path(name) + "/regenerateKeys", ApiClient.JSON.valueToTree(Map.of("keyType", keyType)));
      return 0;
    }
  }

  @Command(name = "delete", description = "Delete an endpoint and all its deployments.")
  static final class Delete implements Callable<Integer> {
    @Mixin Common c;
    @Option(names = {"-n", "--name"}, required = true) String name;
    @Option(names = {"-y", "--yes"}) boolean yes;
    @Option(names = "--no-wait") boolean noWait;

    @Override
    public Integer call() {
      c.confirm(yes, "Endpoint '" + name + "' and all its deployments will be deleted. Are you sure?");
      c.api().delete(path(name));
      if (!noWait) {
        c.waitFor("Deleting endpoint " + name + " ", () -> exists(c, path(name)), n -> n == null, 900);
      }
      return 0;
    }
  }

  /** The resource, or null once it is gone (404). */
  static JsonNode exists(Common c, String path) {
    try {
      return c.api().get(path);
    } catch (CliException e) {
      if (e.status() == 404) {
        return null;
      }
      throw e;
    }
  }

  @Command(name = "mirror-report", description = "How mirrored answers compared with the live answers.")
  static final class MirrorReport implements Callable<Integer> {
    @Mixin Common c;
    @Option(names = {"-n", "--name"}, required = true) String name;
    @Option(names = "--seconds", description = "the window, up to the node's load.retention_seconds") String seconds;

    @Override
    public Integer call() {
      c.checkQuery();
      c.print(c.api().get(path(name) + "/mirror-report" + (seconds == null ? "" : "?seconds=" + seconds)));
      return 0;
    }
  }
}
