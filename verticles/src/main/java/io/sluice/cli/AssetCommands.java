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
      ObjectNode spec = spec(file, set, "name", name, "version", version, "path", path, "description", description,
          "type", type);
      Path base = base(file);
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
      ObjectNode spec = spec(file, set, "name", name, "version", version, "image", image, "conda_file", condaFile,
          "description", description);
      SpecFiles.inlineCondaFile(spec, base(file), "--conda-file");
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
      String v = version == null || "latest".equals(label) ? "" : "?version=" + ApiClient.segment(version);
      c.print(c.api().get("/api/" + kind(c) + "/" + ApiClient.segment(name) + v));
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
      c.print(c.api().get("/api/" + kind(c) + (name == null ? "" : "?name=" + ApiClient.segment(name))).path("value"));
      return 0;
    }
  }

  /** The asset's YAML file (if any), then the flags given (field, value pairs; null = not given), then --set. */
  static ObjectNode spec(Path file, List<String> set, String... fieldValues) {
    ObjectNode spec = file != null ? SpecFiles.read(file) : ApiClient.JSON.createObjectNode();
    spec.remove("$schema");
    for (int i = 0; i < fieldValues.length; i += 2) {
      if (fieldValues[i + 1] != null) {
        spec.put(fieldValues[i], fieldValues[i + 1]);
      }
    }
    SpecFiles.set(spec, set);
    return spec;
  }

  /** Paths in an asset file are relative to it; paths in flags to the working directory. */
  static Path base(Path file) {
    return file != null ? file.toAbsolutePath().getParent() : Path.of("").toAbsolutePath();
  }
}
