package io.sluice.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice model …} and {@code sluice environment …}: registered assets, referenced as azureml:name:version. */
final class AssetCommands {
  private AssetCommands() {
  }

  @Command(name = "model", description = "Register and list models.",
      subcommands = {ModelCreate.class, Show.class, ListCmd.class})
  static final class Model {
  }

  @Command(name = "environment", description = "Register and list environments.",
      subcommands = {EnvironmentCreate.class, Show.class, ListCmd.class})
  static final class Environment {
  }

  static String kind(Common c) {
    return "model".equals(c.spec.parent().name()) ? "models" : "environments";
  }

  @Command(name = "create", description = "Register a model version: uploads its folder.")
  static final class ModelCreate implements Callable<Integer> {
    @Mixin Common c;
    @Option(names = {"-n", "--name"}) String name;
    @Option(names = {"-v", "--version"}) String version;
    @Option(names = {"-p", "--path"}) String path;
    @Option(names = {"-f", "--file"}) Path file;
    @Option(names = {"-d", "--description"}) String description;
    @Option(names = {"-t", "--type"}) String type;
    @Option(names = "--set", arity = "1..*") List<String> set;

    @Override
    public Integer call() {
      c.checkQuery();
      ObjectNode spec = file != null ? SpecFiles.read(file) : ApiClient.JSON.createObjectNode();
      Path base = file != null ? file.toAbsolutePath().getParent() : Path.of("").toAbsolutePath();
      spec.remove("$schema");
      putIf(spec, "name", name);
      putIf(spec, "version", version);
      putIf(spec, "path", path);
      putIf(spec, "description", description);
      putIf(spec, "type", type);
      SpecFiles.set(spec, set);
      if (!spec.hasNonNull("path")) {
        throw new CliException("--path: the model's file or folder is required");
      }
      spec.put("path", SpecFiles.upload(c.api(), "--path", SpecFiles.resolve(base, spec.get("path").asText()), true));
      c.print(c.api().post("/api/models", spec));
      return 0;
    }
  }

  @Command(name = "create", description = "Register an environment version.")
  static final class EnvironmentCreate implements Callable<Integer> {
    @Mixin Common c;
    @Option(names = {"-n", "--name"}) String name;
    @Option(names = {"-v", "--version"}) String version;
    @Option(names = {"-f", "--file"}) Path file;
    @Option(names = {"-i", "--image"}) String image;
    @Option(names = {"-c", "--conda-file"}) String condaFile;
    @Option(names = {"-d", "--description"}) String description;
    @Option(names = "--set", arity = "1..*") List<String> set;

    @Override
    public Integer call() {
      c.checkQuery();
      ObjectNode spec = file != null ? SpecFiles.read(file) : ApiClient.JSON.createObjectNode();
      Path base = file != null ? file.toAbsolutePath().getParent() : Path.of("").toAbsolutePath();
      spec.remove("$schema");
      putIf(spec, "name", name);
      putIf(spec, "version", version);
      putIf(spec, "image", image);
      putIf(spec, "conda_file", condaFile);
      putIf(spec, "description", description);
      SpecFiles.set(spec, set);
      SpecFiles.inlineCondaFile(spec, base, "--conda-file");
      c.print(c.api().post("/api/environments", spec));
      return 0;
    }
  }

  @Command(name = "show", description = "Show one version (the latest without --version).")
  static final class Show implements Callable<Integer> {
    @Mixin Common c;
    @Option(names = {"-n", "--name"}, required = true) String name;
    @Option(names = {"-v", "--version"}) String version;
    @Option(names = {"-l", "--label"}) String label;

    @Override
    public Integer call() {
      c.checkQuery();
      String v = version == null || "latest".equals(label) ? "" : "?version=" + version;
      c.print(c.api().get("/api/" + kind(c) + "/" + name + v));
      return 0;
    }
  }

  @Command(name = "list", description = "List registered versions.")
  static final class ListCmd implements Callable<Integer> {
    @Mixin Common c;
    @Option(names = {"-n", "--name"}) String name;

    @Override
    public Integer call() {
      c.checkQuery();
      c.print(c.api().get("/api/" + kind(c) + (name == null ? "" : "?name=" + name)).path("value"));
      return 0;
    }
  }

  static void putIf(ObjectNode o, String f, String v) {
    if (v != null) {
      o.put(f, v);
    }
  }
}
