package io.sluice.cli;

import io.sluice.protocol.ProvisioningState;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice online-deployment …}: az ml online-deployment, verb for verb. */
@Command(name = "online-deployment", description = "Manage deployments of online endpoints.",
    subcommands = {DeploymentCommands.Create.class, DeploymentCommands.Show.class, DeploymentCommands.ListCmd.class,
        DeploymentCommands.Update.class, DeploymentCommands.GetLogs.class, DeploymentCommands.Delete.class,
        CollectedDataCommand.class})
final class DeploymentCommands {
  /** Fields the node computes; never sent back on update. */
  static final Set<String> READ_ONLY = Set.of("provisioning_state", "spec_version", "instances", "scale_status",
      "status_reason", "created_at", "id", "revision");
  static final int WAIT_SECONDS = 900;

  static String path(String endpoint, String name) {
    return EndpointCommands.path(endpoint) + "/deployments/" + ApiClient.segment(name);
  }

  /** Waits until a create/update settles; Failed is an error that carries the node's reason. */
  static JsonNode settle(Common c, String endpoint, String name, String verb) {
    JsonNode d = c.waitFor(verb + " deployment " + name + " ", () -> c.api().get(path(endpoint, name)), n -> {
      String s = n.path("provisioning_state").asText();
      return s.equals(ProvisioningState.Succeeded.name()) || s.equals(ProvisioningState.Failed.name());
    }, WAIT_SECONDS);
    if (ProvisioningState.Failed.name().equals(d.path("provisioning_state").asText())) {
      throw new CliException("deployment '" + name + "' failed: " + d.path("status_reason").asText("unknown reason"));
    }
    return d;
  }

  static String endpointOf(String flag, ObjectNode spec) {
    String e = flag != null ? flag : spec.path("endpoint_name").asText(null);
    if (e == null || e.isEmpty()) {
      throw new CliException("--endpoint-name: required (the YAML has no endpoint_name)");
    }
    return e;
  }

  @Command(name = "create", description = "Create a deployment; waits until it serves unless --no-wait.",
      footer = {"", "Example:", "  sluice online-deployment create --name blue --endpoint-name my-endpoint "
          + "-f endpoints/online/managed/sample/blue-deployment.yml --all-traffic"})
  static final class Create implements Callable<Integer> {
    @Mixin Common c;
    @Option(names = {"-n", "--name"}) String name;
    @Option(names = {"-e", "--endpoint-name", "--endpoint"}) String endpoint;
    @Option(names = {"-f", "--file"}, required = true) Path file;
    @Option(names = "--all-traffic", description = "give this deployment 100%% of the traffic once it serves")
    boolean allTraffic;
    @Option(names = "--set", arity = "1..*") List<String> set;
    @Option(names = "--no-wait") boolean noWait;
    @Option(names = "--skip-script-validation") boolean skipScriptValidation;

    @Override
    public Integer call() {
      c.checkQuery();
      ObjectNode spec = SpecFiles.read(file);
      SpecFiles.set(spec, set); // as az: every --set applies to the document first (endpoint_name included)
      if (name != null) {
        spec.put("name", name);
      }
      String ep = endpointOf(endpoint, spec);
      spec.put("endpoint_name", ep);
      String n = spec.path("name").asText(null);
      if (n == null) {
        throw new CliException("--name: a deployment name is required (the YAML has none)");
      }
      c.api().get(EndpointCommands.path(ep)); // az: "Check: endpoint <name> exists"
      SpecFiles.uploadDeploymentFiles(c.api(), spec, file.toAbsolutePath().getParent());
      JsonNode created = c.api().post(EndpointCommands.path(ep) + "/deployments" + (allTraffic ? "?all_traffic=true"
          : ""), spec);
      c.print(noWait ? created : settle(c, ep, n, "Creating"));
      return 0;
    }
  }

  @Command(name = "show", description = "Show a deployment and its instances.")
  static final class Show implements Callable<Integer> {
    @Mixin Common c;
    @Option(names = {"-n", "--name"}, required = true) String name;
    @Option(names = {"-e", "--endpoint-name", "--endpoint"}, required = true) String endpoint;

    @Override
    public Integer call() {
      c.checkQuery();
      c.print(c.api().get(path(endpoint, name)));
      return 0;
    }
  }

  @Command(name = "list", description = "List the deployments of an endpoint.")
  static final class ListCmd implements Callable<Integer> {
    @Mixin Common c;
    @Option(names = {"-e", "--endpoint-name", "--endpoint"}, required = true) String endpoint;

    @Override
    public Integer call() {
      c.checkQuery();
      c.print(c.api().get(EndpointCommands.path(endpoint) + "/deployments").path("value"));
      return 0;
    }
  }

  @Command(name = "update", description = "Update a deployment (YAML and/or --set); a code or model change rolls "
      + "out instance by instance.")
  static final class Update implements Callable<Integer> {
    @Mixin Common c;
    @Option(names = {"-n", "--name"}) String name;
    @Option(names = {"-e", "--endpoint-name", "--endpoint"}) String endpoint;
    @Option(names = {"-f", "--file"}) Path file;
    @Option(names = "--set", arity = "1..*") List<String> set;
    @Option(names = "--no-wait") boolean noWait;
    @Option(names = "--skip-script-validation") boolean skipScriptValidation;

    @Override
    public Integer call() {
      c.checkQuery();
      ObjectNode fromFile = file != null ? SpecFiles.read(file) : ApiClient.JSON.createObjectNode();
      ObjectNode named = fromFile.deepCopy();
      SpecFiles.set(named, set); // which deployment: --set name/endpoint_name count as az counts them
      String n = name != null ? name : named.path("name").asText(null);
      if (n == null) {
        throw new CliException("--name: the deployment to update is required");
      }
      String ep = endpointOf(endpoint, named);
      ObjectNode spec = (ObjectNode) c.api().get(path(ep, n));
      JsonNode revision = spec.get("revision");
      READ_ONLY.forEach(spec::remove);
      if (file != null) {
        fromFile.remove("$schema");
        SpecFiles.uploadDeploymentFiles(c.api(), fromFile, file.toAbsolutePath().getParent());
        spec.setAll(fromFile);
      }
      spec.put("name", n).put("endpoint_name", ep);
      SpecFiles.set(spec, set);
      JsonNode updated = c.api().put(path(ep, n), spec, revision);
      c.print(noWait ? updated : settle(c, ep, n, "Updating"));
      return 0;
    }
  }

  @Command(name = "get-logs", description = "Print the logs of one instance of the deployment.",
      footer = {"", "Example:", "  sluice online-deployment get-logs --name blue --endpoint my-endpoint --lines 50"})
  static final class GetLogs implements Callable<Integer> {
    @Mixin Common c;
    @Option(names = {"-n", "--name"}, required = true) String name;
    @Option(names = {"-e", "--endpoint-name", "--endpoint"}, required = true) String endpoint;
    @Option(names = {"-l", "--lines"}, defaultValue = "5000") int lines;
    @Option(names = {"-c", "--container"}, defaultValue = "inference-server",
        description = "inference-server (default) or storage-initializer") String container;

    @Override
    public Integer call() {
      if (!container.equals("inference-server") && !container.equals("storage-initializer")) {
        throw new CliException("--container: '" + container + "' is not a container type; use inference-server or "
            + "storage-initializer");
      }
      if (lines < 1) {
        throw new CliException("--lines: must be at least 1");
      }
      JsonNode r = c.api().post(path(endpoint, name) + "/getLogs", ApiClient.JSON.valueToTree(Map.of("tail", lines)));
      c.out().println(r.path("content").asText());
      c.out().flush();
      return 0;
    }
  }

  @Command(name = "delete", description = "Delete a deployment (it must have no live or mirrored traffic).")
  static final class Delete implements Callable<Integer> {
    @Mixin Common c;
    @Option(names = {"-n", "--name"}, required = true) String name;
    @Option(names = {"-e", "--endpoint-name", "--endpoint"}, required = true) String endpoint;
    @Option(names = {"-y", "--yes"}) boolean yes;
    @Option(names = "--no-wait") boolean noWait;

    @Override
    public Integer call() {
      c.confirm(yes, "Deployment '" + name + "' of endpoint '" + endpoint + "' will be deleted. Are you sure?");
      c.api().delete(path(endpoint, name));
      if (!noWait) {
        c.waitFor("Deleting deployment " + name + " ", () -> EndpointCommands.exists(c, path(endpoint, name)),
            n -> n == null, WAIT_SECONDS);
      }
      return 0;
    }
  }
}
