package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import java.io.IOException;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.burt.jmespath.Expression;
import io.burt.jmespath.jackson.JacksonRuntime;
import io.burt.jmespath.parser.ParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** az's output options: {@code --query} (JMESPath) then {@code -o json|jsonc|tsv|table|yaml|none}. */
final class Output {
  private static final JacksonRuntime JMESPATH = new JacksonRuntime();
  /** az's JSON layout: two-space indent, "key": value, empty containers as {} and []. */
  private static final ObjectWriter PRETTY = new ObjectMapper().writer(new AzPrettyPrinter());
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

  private Output() {
  }

  static Expression<JsonNode> compile(String query) {
    try {
      return JMESPATH.compile(query);
    } catch (ParseException e) {
      throw new CliException("--query: '" + query + "' is not a valid JMESPath expression: " + e.getMessage());
    }
  }

  static String render(JsonNode value, String query, String format) {
    JsonNode v = value;
    if (query != null && !query.isEmpty()) {
      v = compile(query).search(value);
      if (v == null) {
        v = NullNode.getInstance();
      }
    }
    String f = format == null ? "json" : format.toLowerCase();
    try {
      return switch (f) {
        case "json", "jsonc" -> v.isNull() && query != null ? "" : PRETTY.writeValueAsString(v);
        case "yaml" -> YAML.writeValueAsString(v).stripTrailing();
        case "tsv" -> tsv(v);
        case "table" -> table(v);
        case "none" -> "";
        default -> throw new CliException("--output: '" + format + "' is not one of json, jsonc, tsv, table, yaml, none");
      };
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new CliException("cannot format the output: " + e.getMessage());
    }
  }

  private static String scalar(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return "";
    }
    return n.isValueNode() ? n.asText() : n.toString();
  }

  /** az's tsv: a scalar alone; an object's values on one line; an array one line per element. */
  private static String tsv(JsonNode v) {
    if (v.isArray()) {
      List<String> lines = new ArrayList<>();
      v.forEach(e -> lines.add(tsvLine(e)));
      return String.join("\n", lines);
    }
    return tsvLine(v);
  }

  private static String tsvLine(JsonNode v) {
    if (v.isObject()) {
      List<String> cells = new ArrayList<>();
      v.fields().forEachRemaining(e -> {
        if (e.getValue().isValueNode() || e.getValue().isNull()) {
          cells.add(scalar(e.getValue()));
        }
      });
      return String.join("\t", cells);
    }
    if (v.isArray()) {
      List<String> cells = new ArrayList<>();
      v.forEach(e -> cells.add(scalar(e)));
      return String.join("\t", cells);
    }
    return scalar(v);
  }

  private static String table(JsonNode v) {
    List<JsonNode> rows = new ArrayList<>();
    if (v.isArray()) {
      v.forEach(rows::add);
    } else {
      rows.add(v);
    }
    Set<String> cols = new LinkedHashSet<>();
    for (JsonNode r : rows) {
      if (r.isObject()) {
        for (Iterator<Map.Entry<String, JsonNode>> it = r.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          if (e.getValue().isValueNode()) {
            cols.add(e.getKey());
          }
        }
      }
    }
    if (cols.isEmpty()) {
      cols.add("Result");
    }
    List<String> header = new ArrayList<>(cols);
    List<List<String>> cells = new ArrayList<>();
    for (JsonNode r : rows) {
      List<String> line = new ArrayList<>();
      for (String c : header) {
        line.add(r.isObject() ? scalar(r.get(c)) : scalar(r));
      }
      cells.add(line);
    }
    int[] width = new int[header.size()];
    for (int i = 0; i < header.size(); i++) {
      width[i] = pretty(header.get(i)).length();
      for (List<String> line : cells) {
        width[i] = Math.max(width[i], line.get(i).length());
      }
    }
    StringBuilder sb = new StringBuilder();
    appendRow(sb, header.stream().map(Output::pretty).toList(), width);
    List<String> dashes = new ArrayList<>();
    for (int w : width) {
      dashes.add("-".repeat(w));
    }
    appendRow(sb, dashes, width);
    cells.forEach(line -> appendRow(sb, line, width));
    return sb.toString().stripTrailing();
  }

  private static String pretty(String col) {
    StringBuilder sb = new StringBuilder();
    for (String w : col.split("_")) {
      if (!w.isEmpty()) {
        sb.append(Character.toUpperCase(w.charAt(0))).append(w.substring(1));
      }
    }
    return sb.toString();
  }

  private static void appendRow(StringBuilder sb, List<String> cells, int[] width) {
    StringBuilder row = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      row.append(String.format("%-" + width[i] + "s", cells.get(i)));
      if (i < cells.size() - 1) {
        row.append("  ");
      }
    }
    sb.append(row.toString().stripTrailing()).append('\n');
  }

  private static final class AzPrettyPrinter extends DefaultPrettyPrinter {
    AzPrettyPrinter() {
      DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
      indentObjectsWith(indenter);
      indentArraysWith(indenter);
    }

    private AzPrettyPrinter(AzPrettyPrinter base) {
      super(base);
    }

    @Override
    public DefaultPrettyPrinter createInstance() {
      return new AzPrettyPrinter(this);
    }

    @Override
    public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw(": ");
    }

    @Override
    public void writeEndObject(JsonGenerator g, int entries) throws IOException {
      if (entries == 0) {
        g.writeRaw('}');
        _nesting--;
        return;
      }
      super.writeEndObject(g, entries);
    }

    @Override
    public void writeEndArray(JsonGenerator g, int entries) throws IOException {
      if (entries == 0) {
        g.writeRaw(']');
        _nesting--;
        return;
      }
      super.writeEndArray(g, entries);
    }
  }
}
