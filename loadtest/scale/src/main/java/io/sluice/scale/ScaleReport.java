package io.sluice.scale;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The headline figures of a harness run (the keys docs/capacity.md reads) and its table; the growth exponent in N
 * of what the whole cluster costs at the same instance count (a log-log least-squares slope: 1 is linear, 2
 * quadratic). Pure.
 */
final class ScaleReport {
  private ScaleReport() {
  }

  static void summarize(JsonObject result) {
    JsonObject propagation = new JsonObject();
    JsonObject update = new JsonObject();
    JsonObject failover = new JsonObject();
    List<double[]> heap = new ArrayList<>();
    List<double[]> cpu = new ArrayList<>();
    List<double[]> prop = new ArrayList<>();
    JsonObject events = new JsonObject();
    JsonObject mapOps = new JsonObject();
    JsonObject loads = new JsonObject();
    List<double[]> mapGrowth = new ArrayList<>();
    List<double[]> loadGrowth = new ArrayList<>();
    List<double[]> loadBytesGrowth = new ArrayList<>();
    Double routerHeap = null;
    for (Object o : result.getJsonArray("runs")) {
      JsonObject r = (JsonObject) o;
      if (r.containsKey("stopped")) {
        continue;
      }
      String n = String.valueOf(r.getInteger("members"));
      JsonObject p = r.getJsonObject("propagation");
      propagation.put(n, p.getJsonObject("from_200_ms").getValue("p99"));
      update.put(n, p.getJsonObject("from_request_ms").getValue("p99"));
      failover.put(n, r.getJsonObject("failover").getDouble("s"));
      int members = r.getInteger("members");
      JsonArray jvms = r.getJsonObject("at_rest").getJsonArray("jvms");
      heap.add(new double[] {members, jvms.stream().mapToDouble(j -> ((JsonObject) j).getDouble("heap_mb")).sum()});
      cpu.add(new double[] {members, jvms.stream().mapToDouble(j -> ((JsonObject) j).getDouble("cpu_cores")).sum()});
      prop.add(new double[] {members, p.getJsonObject("from_request_ms").getLong("p99")});
      routerHeap = r.getJsonObject("at_rest").getDouble("router_heap_mb_per_1000_instances");
      JsonObject rest = r.getJsonObject("at_rest").getJsonObject("traffic").getJsonObject("total_per_s");
      JsonObject busy = r.getJsonObject("traffic_under_requests").getJsonObject("total_per_s");
      events.put(n, rest.getDouble("events"));
      mapOps.put(n, mapOps(rest));
      loads.put(n, busy.getDouble("load_reports"));
      mapGrowth.add(new double[] {members, mapOps(rest)});
      loadGrowth.add(new double[] {members, busy.getDouble("load_reports")});
      loadBytesGrowth.add(new double[] {members, busy.getDouble("load_report_bytes")});
    }
    result.put("propagation_p99_ms", propagation).put("change_to_all_routers_p99_ms", update)
        .put("failover_s", failover).put("router_heap_mb_per_1000_instances", routerHeap)
        .put("events_per_s_at_rest", events).put("map_ops_per_s_at_rest", mapOps)
        .put("load_reports_per_s_under_requests", loads)
        .put("reconcile_ms_10000x100", result.getJsonObject("reconcile").getDouble("round_ms"))
        .put("exponents", new JsonObject().put("cluster_heap", slope(heap)).put("cluster_cpu_at_rest", slope(cpu))
            .put("change_to_all_routers", slope(prop)).put("map_ops_at_rest", slope(mapGrowth))
            .put("load_reports_under_requests", slope(loadGrowth))
            .put("load_report_bytes_under_requests", slope(loadBytesGrowth)));
  }

  /** Operations a second the cluster's members served on the instance and node maps (a {@link Traffic} rate). */
  static double mapOps(JsonObject totalPerS) {
    double sum = 0;
    JsonObject maps = totalPerS.getJsonObject("maps");
    for (String m : maps.fieldNames()) {
      for (String op : maps.getJsonObject(m).fieldNames()) {
        sum += maps.getJsonObject(m).getDouble(op);
      }
    }
    return sum;
  }

  /** The many-node JVMs summed: their nodes, heap and CPU. */
  static JsonObject restJvms(JsonArray jvms) {
    int nodes = 0;
    double heap = 0;
    double cpu = 0;
    for (Object o : jvms) {
      JsonObject j = (JsonObject) o;
      if ("rest".equals(j.getString("role"))) {
        nodes += j.getInteger("nodes");
        heap += j.getDouble("heap_mb");
        cpu += j.getDouble("cpu_cores");
      }
    }
    return new JsonObject().put("nodes", nodes).put("heap_mb", heap).put("cpu_cores", cpu);
  }

  /** Least-squares slope of log(y) on log(x); null under two points. */
  static Double slope(List<double[]> xy) {
    List<double[]> pts = xy.stream().filter(p -> p[0] > 0 && p[1] > 0).toList();
    if (pts.size() < 2) {
      return null;
    }
    double mx = pts.stream().mapToDouble(p -> Math.log(p[0])).average().orElse(0);
    double my = pts.stream().mapToDouble(p -> Math.log(p[1])).average().orElse(0);
    double num = 0;
    double den = 0;
    for (double[] p : pts) {
      num += (Math.log(p[0]) - mx) * (Math.log(p[1]) - my);
      den += (Math.log(p[0]) - mx) * (Math.log(p[0]) - mx);
    }
    return den == 0 ? null : num / den;
  }

  static String table(JsonObject result) {
    StringBuilder t = new StringBuilder(String.format("%8s %10s %9s %14s %14s %12s %12s %10s %9s %9s %9s %9s%n",
        "members", "instances", "start_s", "prop_p99_200", "prop_p99_req", "heap_mb/node", "cpu/node", "scale+100",
        "failover", "events/s", "mapops/s", "loads/s"));
    for (Object o : result.getJsonArray("runs")) {
      JsonObject r = (JsonObject) o;
      if (r.containsKey("stopped")) {
        t.append(String.format("%8d stopped: %s%n", r.getInteger("members"), r.getString("stopped")));
        continue;
      }
      JsonObject rest = restJvms(r.getJsonObject("at_rest").getJsonArray("jvms"));
      JsonObject p = r.getJsonObject("propagation");
      JsonObject quiet = r.getJsonObject("at_rest").getJsonObject("traffic").getJsonObject("total_per_s");
      t.append(String.format("%8d %10d %9.1f %14s %14s %12.1f %12.3f %10.1f %9.1f %9.0f %9.0f %9.0f%n",
          r.getInteger("members"),
          r.getInteger("instances"), r.getDouble("start_s"), p.getJsonObject("from_200_ms").getValue("p99"),
          p.getJsonObject("from_request_ms").getValue("p99"), rest.getDouble("heap_mb") / rest.getInteger("nodes"),
          rest.getDouble("cpu_cores") / rest.getInteger("nodes"), r.getDouble("scale_up_100_s"),
          r.getJsonObject("failover").getDouble("s"), quiet.getDouble("events"), mapOps(quiet),
          r.getJsonObject("traffic_under_requests").getJsonObject("total_per_s").getDouble("load_reports")));
    }
    JsonObject rc = result.getJsonObject("reconcile");
    t.append(String.format("reconcile round, %d instances over %d nodes: read %.1f ms + decide %.1f ms (+100: %.1f ms)"
        + "%n", rc.getInteger("instances"), rc.getInteger("nodes"), rc.getDouble("read_ms"), rc.getDouble("decide_ms"),
        rc.getDouble("decide_plus_100_ms")));
    t.append("exponents in N: ").append(result.getJsonObject("exponents").encode());
    return t.toString();
  }
}
