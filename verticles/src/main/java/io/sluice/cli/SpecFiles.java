package io.sluice.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Azure's YAML files, read unchanged: parse, resolve paths relative to the file, apply {@code --set}, and
 * upload local folders (zipped, named by content) so the cluster never needs the user's disk.
 */
final class SpecFiles {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private SpecFiles() {
  }

  /** Reads a YAML file into an object; a clear error when it is missing, unreadable, or not a YAML mapping. */
  static ObjectNode read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new CliException("--file: file not found: " + file);
    }
    JsonNode n;
    try {
      n = YAML.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw new CliException("--file: " + file + " is not valid YAML: " + e.getOriginalMessage()
          + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""));
    } catch (IOException e) {
      throw new CliException("--file: cannot read " + file + ": " + e.getMessage());
    }
    if (n == null || n.isMissingNode() || n.isNull()) {
      return JsonNodeFactory.instance.objectNode();
    }
    if (!n.isObject()) {
      throw new CliException("--file: " + file + " must hold a YAML mapping of fields, not a " + n.getNodeType());
    }
    return (ObjectNode) n;
  }

  /** {@code --set a.b=c}: the value is read as YAML, so numbers, booleans, lists and maps keep their type. */
  static void set(ObjectNode target, List<String> assignments) {
    if (assignments == null) {
      return;
    }
    for (String a : assignments) {
      int eq = a.indexOf('=');
      if (eq <= 0) {
        throw new CliException("--set: '" + a + "' is not path=value (example: --set instance_count=2)");
      }
      String path = a.substring(0, eq).trim();
      String raw = a.substring(eq + 1);
      JsonNode value;
      try {
        value = raw.isEmpty() ? JsonNodeFactory.instance.textNode("") : YAML.readTree(raw);
      } catch (JsonProcessingException e) {
        value = JsonNodeFactory.instance.textNode(raw);
      }
      if (value == null || value.isMissingNode()) {
        value = JsonNodeFactory.instance.textNode(raw);
      }
      String[] parts = path.split("\\.");
      ObjectNode o = target;
      for (int i = 0; i < parts.length - 1; i++) {
        if (parts[i].isEmpty()) {
          throw new CliException("--set: '" + path + "' is not a valid field path");
        }
        JsonNode next = o.get(parts[i]);
        if (next == null || !next.isObject()) {
          if (next != null && !next.isNull()) {
            throw new CliException("--set: '" + path + "': field '" + parts[i] + "' is not a map");
          }
          next = o.putObject(parts[i]);
        }
        o = (ObjectNode) next;
      }
      o.set(parts[parts.length - 1], value);
    }
  }

  static Path resolve(Path base, String path) {
    Path p = Path.of(path);
    return (p.isAbsolute() ? p : base.resolve(p)).normalize();
  }

  /**
   * Zips a folder deterministically (sorted entries, fixed times) so the same content has the same id.
   * {@code prefix}: put the folder's own name in front of every entry (models: AZUREML_MODEL_DIR contains it).
   * Symbolic links are refused: an upload holds exactly the files under the folder.
   */
  static byte[] zip(String field, Path path, boolean prefix) {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      throw new CliException(field + ": not found: " + path);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      List<Path> files = new ArrayList<>();
      boolean folder = Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS);
      Path root = folder ? path : path.getParent();
      if (folder) {
        try (Stream<Path> s = Files.walk(path)) {
          s.filter(p -> !p.equals(path)).sorted().forEach(files::add);
        }
      } else {
        files.add(path);
      }
      String top = prefix && Files.isDirectory(path) ? path.getFileName().toString() + "/" : "";
      for (Path f : files) {
        if (Files.isSymbolicLink(f)) {
          throw new CliException(field + ": refusing symbolic link " + f + " (uploads hold plain files only)");
        }
        String name = top + root.relativize(f).toString().replace('\\', '/');
        if (f.getFileName().toString().equals("__pycache__") || name.contains("/__pycache__/")) {
          continue;
        }
        ZipEntry e = new ZipEntry(Files.isDirectory(f) ? name + "/" : name);
        e.setTime(315532800000L);
        zip.putNextEntry(e);
        if (Files.isRegularFile(f)) {
          Files.copy(f, zip);
        }
        zip.closeEntry();
      }
      if (files.isEmpty()) {
        zip.putNextEntry(new ZipEntry(top.isEmpty() ? ".empty" : top));
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new CliException(field + ": cannot read " + path + ": " + e.getMessage());
    }
    return bytes.toByteArray();
  }

  static String upload(ApiClient api, String field, Path path, boolean prefix) {
    return api.upload(zip(field, path, prefix)).path("id").asText();
  }

  /**
   * Turns a deployment YAML's local references into uploads: model.path, code_configuration.code (folders) and
   * environment.conda_file (inlined as text). Everything else is sent as written; the node validates it.
   */
  static void uploadDeploymentFiles(ApiClient api, ObjectNode spec, Path base) {
    JsonNode model = spec.get("model");
    if (model != null && model.isObject() && model.hasNonNull("path") && !model.get("path").asText().startsWith("sha256:")) {
      Path p = resolve(base, model.get("path").asText());
      ((ObjectNode) model).put("path", upload(api, "model.path", p, true));
    }
    JsonNode cc = spec.get("code_configuration");
    if (cc != null && cc.isObject() && cc.hasNonNull("code") && !cc.get("code").asText().startsWith("sha256:")) {
      Path code = resolve(base, cc.get("code").asText());
      if (!Files.isDirectory(code)) {
        throw new CliException("code_configuration.code: folder not found: " + code);
      }
      String script = cc.path("scoring_script").asText("");
      if (script.endsWith(".py") && !Files.isRegularFile(code.resolve(script))) {
        throw new CliException("code_configuration.scoring_script: " + script + " not found in " + code);
      }
      ((ObjectNode) cc).put("code", upload(api, "code_configuration.code", code, false));
    }
    JsonNode env = spec.get("environment");
    if (env != null && env.isObject()) {
      inlineCondaFile((ObjectNode) env, base, "environment.conda_file");
    }
  }

  static void inlineCondaFile(ObjectNode env, Path base, String field) {
    JsonNode conda = env.get("conda_file");
    if (conda != null && conda.isTextual() && !conda.asText().contains("\n")) {
      Path p = resolve(base, conda.asText());
      try {
        if (!Files.isRegularFile(p)) {
          throw new CliException(field + ": file not found: " + p);
        }
        env.put("conda_file", Files.readString(p));
      } catch (IOException e) {
        throw new CliException(field + ": cannot read " + p + ": " + e.getMessage());
      }
    }
  }
}
