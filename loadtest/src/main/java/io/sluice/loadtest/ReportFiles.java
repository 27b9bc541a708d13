package io.sluice.loadtest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Writes a run as JSON and as one self-contained HTML page: uPlot charts (the library inlined) of latency per second,
 * answers per second by status with the scenario's steps marked, and latency by percentile.
 */
public final class ReportFiles {
  private ReportFiles() {
  }

  public static JsonObject json(LoadGenerator.Report r, List<String> steps) {
    JsonObject pct = new JsonObject();
    for (double p : new double[] {50, 90, 99, 99.9}) {
      pct.put("p" + (p == Math.floor(p) ? String.valueOf((int) p) : String.valueOf(p)), r.ms(p));
    }
    pct.put("max", r.latencyMicros().getMaxValue() / 1000.0);
    JsonObject statuses = new JsonObject();
    r.byStatus().forEach((k, v) -> statuses.put(String.valueOf(k), v));
    JsonObject deployments = new JsonObject();
    r.byDeployment().forEach(deployments::put);
    JsonArray timeline = new JsonArray();
    r.timeline().forEach(s -> timeline.add(new JsonObject().put("second", s.second()).put("answers", s.answers())
        .put("errors", s.errors()).put("p50_ms", s.p50Ms()).put("p99_ms", s.p99Ms())
        .put("by_status", new JsonObject(new java.util.LinkedHashMap<>(s.byStatus()))).put("step", s.step())));
    JsonArray perStep = new JsonArray();
    for (Map.Entry<Integer, long[]> e : r.byStep().entrySet()) {
      perStep.add(new JsonObject().put("step", e.getKey())
          .put("command", e.getKey() == 0 ? "(before the first step)" : steps.get(e.getKey() - 1))
          .put("requests", e.getValue()[0]).put("failed", e.getValue()[1]));
    }
    return new JsonObject().put("mode", r.mode()).put("requests", r.requests()).put("seconds", r.seconds())
        .put("throughput_rps", r.throughput()).put("latency_ms", pct).put("failed", r.failed())
        .put("connection_errors", r.errors()).put("status", statuses).put("deployments", deployments)
        .put("timeline", timeline).put("steps", perStep);
  }

  public static void write(Path file, LoadGenerator.Report r, List<String> steps) throws IOException {
    JsonObject j = json(r, steps);
    String base = file.toString().replaceFirst("\\.(json|html)$", "");
    Files.writeString(Path.of(base + ".json"), j.encodePrettily() + "\n");
    Files.writeString(Path.of(base + ".html"), html(r, j, steps));
  }

  /** The chart library inlined into every report, so a report is one file that opens offline. */
  static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";

  static String html(LoadGenerator.Report r, JsonObject j, List<String> steps) throws IOException {
    // latency by percentile: x = log10(1 / (1 - p)), y = latency in ms
    JsonArray curve = new JsonArray();
    for (HistogramIterationValue v : r.latencyMicros().percentiles(5)) {
      double p = Math.min(v.getPercentileLevelIteratedTo() / 100.0, 0.999999);
      curve.add(new JsonArray().add(Math.log10(1 / (1 - p))).add(v.getValueIteratedTo() / 1000.0));
    }
    JsonObject data = new JsonObject().put("timeline", j.getJsonArray("timeline")).put("curve", curve)
        .put("steps", new JsonArray(new ArrayList<>(steps)));
    return "<!doctype html><html lang=en><head><meta charset=utf-8><title>Sluice load test</title>"
        + "<meta name=viewport content='width=device-width, initial-scale=1'><style>" + resource(UPLOT + "uPlot.min.css")
        + "body{font-family:system-ui,sans-serif;margin:1.5em;max-width:1000px}pre{overflow:auto}"
        + ".chart{margin:1em 0}</style></head><body><h1>Sluice load test</h1><p>" + esc(r.summary()) + "</p>"
        + "<div class=chart id=latency></div><div class=chart id=status></div><div class=chart id=percentiles></div>"
        + "<h2>Figures</h2><pre>" + esc(j.encodePrettily()) + "</pre>"
        + "<script>" + resource(UPLOT + "uPlot.iife.min.js") + "</script>"
        + "<script>const DATA = " + data.encode().replace("</", "<\\/") + ";\n" + resource("io/sluice/loadtest/report.js")
        + "</script></body></html>\n";
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = ReportFiles.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("missing from the classpath: " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
