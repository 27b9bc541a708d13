package io.sluice.scale;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The driver's handle on one {@link ScaleMembers} JVM: starts it, reads what it prints, asks it for its stats. */
final class MemberJvm implements AutoCloseable {
  private final Process process;
  private final Writer stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  final List<String> urls = new ArrayList<>();
  final int nodes;

  /** {@code heapMb}: the JVM's -Xmx; its log (stderr) goes to {@code log}. */
  MemberJvm(String cluster, Path home, Path hazelcast, int firstPort, int nodes, int capacity, String roles,
            int heapMb, Path log) throws IOException {
    this.nodes = nodes;
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + heapMb + "m", "-XX:+UseG1GC", "-cp", System.getProperty("java.class.path")));
    cmd.addAll(moduleFlags()); // Hazelcast's --add-opens, as the driver was given them (loadtest/scale-sim.sh)
    cmd.addAll(List.of(ScaleMembers.class.getName(), cluster, home.toString(), hazelcast.toString(),
        String.valueOf(firstPort), String.valueOf(nodes), String.valueOf(capacity), roles));
    process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String l = r.readLine(); l != null; l = r.readLine()) {
          lines.add(l);
        }
      } catch (IOException e) {
        // the JVM ended: awaitLine times out
      }
      lines.add("exit");
    }, "member-jvm-reader");
    reader.setDaemon(true);
    reader.start();
  }

  private static List<String> moduleFlags() {
    List<String> in = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments();
    List<String> out = new ArrayList<>();
    for (String a : in) {
      if (a.startsWith("--add-") || a.startsWith("-Djava.net")) {
        out.add(a);
      }
    }
    return out;
  }

  /** Waits until every node of the JVM is up; collects their URLs. */
  MemberJvm awaitUp(long timeoutMs) throws Exception {
    long end = System.currentTimeMillis() + timeoutMs;
    while (true) {
      String l = lines.poll(Math.max(1, end - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
      if (l == null || l.equals("exit")) {
        throw new IllegalStateException("member JVM did not start its " + nodes + " nodes (see its log)");
      }
      if (l.startsWith("node ")) {
        urls.add(l.split(" ")[2]);
      } else if (l.equals("up")) {
        return this;
      }
    }
  }

  /** Heap after a full GC, threads, CPU time so far. */
  JsonObject stats() throws Exception {
    return ask("stats");
  }

  /** CPU time so far. */
  JsonObject cpu() throws Exception {
    return ask("cpu");
  }

  private JsonObject ask(String what) throws Exception {
    stdin.write(what + "\n");
    stdin.flush();
    while (true) {
      String l = lines.poll(120, TimeUnit.SECONDS);
      if (l == null || l.equals("exit")) {
        throw new IllegalStateException("member JVM gave no stats");
      }
      if (l.startsWith("stats ")) {
        return new JsonObject(l.substring(6));
      }
    }
  }

  /** kill -9: how a machine dies, and how a run ends without moving every instance away first. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(60, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }
}
