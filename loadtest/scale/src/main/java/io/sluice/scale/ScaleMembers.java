package io.sluice.scale;

import io.sluice.node.NodeConfig;
import io.sluice.node.SluiceNode;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One JVM of the scale harness: starts {@code count} real Sluice nodes (each its own clustered Vert.x and Hazelcast
 * member) one after the other, then answers the driver on stdin: {@code stats} prints one line {@code stats {json}}
 * (heap after a full GC, threads, the process's CPU time, {@link Traffic}), {@code cpu} the same without the
 * collection first; end of input exits. The driver kills the JVM to end a run:
 * a graceful stop would move every instance away first, which is not what is measured.
 *
 * <p>Arguments: cluster home hazelcast.yaml first-http-port count capacity roles (comma-separated).
 */
public final class ScaleMembers {
  private ScaleMembers() {
  }

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    List<SluiceNode> nodes = new ArrayList<>();
    Traffic traffic = new Traffic();
    int first = Integer.parseInt(args[3]);
    for (int i = 0; i < Integer.parseInt(args[4]); i++) {
      SluiceNode node = new SluiceNode(NodeConfig.load(null, Map.of(), flags(args, first + i)), List.of()).start();
      nodes.add(node);
      traffic.follow(node.vertx());
      out.println("node " + node.info().name() + " " + node.info().publicUrl());
    }
    out.println("up");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (line.equals("stats")) {
        out.println("stats " + stats(nodes.size()).put("traffic", traffic.snapshot()).encode());
      } else if (line.equals("cpu")) {
        out.println("stats " + cpu().put("traffic", traffic.snapshot()).encode());
      }
    }
    Runtime.getRuntime().halt(0);
  }

  private static Map<String, Object> flags(String[] args, int httpPort) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("cluster.name", args[0]);
    f.put("home", args[1]);
    f.put("cluster.config", args[2]);
    f.put("http.port", httpPort);
    f.put("bridge.port", -1);
    f.put("node.capacity", Integer.parseInt(args[5]));
    f.put("node.roles", args[6]);
    return f;
  }

  /** Heap after a full collection: what the nodes hold, not what they have yet to collect. */
  static JsonObject stats(int nodes) {
    System.gc();
    System.gc();
    var mem = ManagementFactory.getMemoryMXBean();
    return cpu().put("nodes", nodes).put("heap_bytes", mem.getHeapMemoryUsage().getUsed())
        .put("threads", ManagementFactory.getThreadMXBean().getThreadCount());
  }

  /** The process's CPU time so far (no collection first: a collection would be counted in the next interval). */
  static JsonObject cpu() {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return new JsonObject().put("cpu_ns", os.getProcessCpuTime()).put("at_ms", System.currentTimeMillis());
  }
}
