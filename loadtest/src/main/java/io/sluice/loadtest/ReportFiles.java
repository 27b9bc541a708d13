package io.sluice.loadtest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.HistogramIterationValue;

/** Writes a run as JSON and as one self-contained HTML page (inline SVG: latency by percentile, throughput by second). */
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
        .put("errors", s.errors()).put("p50_ms", s.p50Ms()).put("p99_ms", s.p99Ms())));
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
    Files.writeString(Path.of(base + ".html"), html(r, j));
  }

  static String html(LoadGenerator.Report r, JsonObject j) {
    // latency by percentile: x = log10(1 / (1 - p)), y = latency in ms
    List<double[]> pts = new ArrayList<>();
    for (HistogramIterationValue v : r.latencyMicros().percentiles(5)) {
      double p = Math.min(v.getPercentileLevelIteratedTo() / 100.0, 0.999999);
      pts.add(new double[] {Math.log10(1 / (1 - p)), v.getValueIteratedTo() / 1000.0});
    }
    List<double[]> tput = new ArrayList<>();
    for (LoadGenerator.Second s : r.timeline()) {
      tput.add(new double[] {s.second(), s.answers()});
    }
    return "<!doctype html><html><head><meta charset=utf-8><title>Sluice load test</title><style>"
        + "body{font-family:sans-serif;margin:2em}td,th{padding:2px 10px;text-align:right}"
        + "svg{border:1px solid #ccc;margin:1em 0}</style></head><body><h1>Sluice load test</h1><p>"
        + esc(r.summary()) + "</p><h2>Latency by percentile</h2>"
        + svg(pts, "percentile (50%, 90%, 99%, 99.9%, 99.99% at x = 0.3, 1, 2, 3, 4)", "ms")
        + "<h2>Throughput over time</h2>" + svg(tput, "second", "answers per second")
        + "<h2>Figures</h2><pre>" + esc(j.encodePrettily()) + "</pre></body></html>\n";
  }

  private static String svg(List<double[]> pts, String xLabel, String yLabel) {
    int w = 720;
    int h = 300;
    int m = 50;
    double maxX = pts.stream().mapToDouble(p -> p[0]).max().orElse(1);
    double maxY = pts.stream().mapToDouble(p -> p[1]).max().orElse(1);
    maxX = maxX <= 0 ? 1 : maxX;
    maxY = maxY <= 0 ? 1 : maxY;
    StringBuilder path = new StringBuilder();
    for (double[] p : pts) {
      double x = m + (w - 2 * m) * p[0] / maxX;
      double y = h - m - (h - 2 * m) * p[1] / maxY;
      path.append(path.length() == 0 ? "M" : "L").append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
    }
    return String.format(Locale.ROOT, "<svg width=%d height=%d xmlns='http://www.w3.org/2000/svg'>"
            + "<line x1=%d y1=%d x2=%d y2=%d stroke=black /><line x1=%d y1=%d x2=%d y2=%d stroke=black />"
            + "<path d='%s' fill=none stroke=steelblue stroke-width=2 />"
            + "<text x=%d y=%d font-size=12>%s (max %.1f)</text><text x=5 y=20 font-size=12>%s (max %.3f)</text></svg>",
        w, h, m, h - m, w - m, h - m, m, m, m, h - m, path.toString().trim(), m, h - 15, esc(xLabel), maxX,
        esc(yLabel), maxY);
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
