package io.sluice.scale;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loadtest/scale-sim.sh}: for each cluster size, a fresh cluster measured ({@link ScaleRun}); one JSON. */
@Command(name = "scale-sim", mixinStandardHelpOptions = true, description = "What one cluster's size costs: "
    + "propagation, placement, heap and CPU at rest, failover, by member count (docs/capacity.md).")
public final class ScaleSim implements Callable<Integer> {
  @Option(names = "--members", split = ",", defaultValue = "3,10,30", description = "cluster sizes, e.g. 3,10,30")
  List<Integer> members;
  @Option(names = "--endpoints", defaultValue = "10") int endpoints;
  @Option(names = "--deployments", defaultValue = "2", description = "per endpoint (at least 2)") int deployments;
  @Option(names = "--instances", defaultValue = "5", description = "per deployment") int instances;
  @Option(names = "--trials", defaultValue = "20", description = "traffic flips per size") int trials;
  @Option(names = "--jvms", defaultValue = "4", description = "member JVMs (two of them hold one node each)")
  int jvms;
  @Option(names = "--heap-mb", defaultValue = "6144", description = "-Xmx of the JVMs that hold many nodes")
  int heapMb;
  @Option(names = "--hz-port", defaultValue = "16701") int hzPort;
  @Option(names = "--http-port", defaultValue = "19000") int httpPort;
  @Option(names = "--partitions", defaultValue = "0", description = "Hazelcast partition count (0: 271)")
  int partitions;
  @Option(names = "--rest-seconds", defaultValue = "20", description = "how long CPU at rest is measured (after 20 s to settle)")
  int restSeconds;
  @Option(names = "--reconcile-only", description = "only the pure placement figures (no cluster)")
  boolean reconcileOnly;
  @Option(names = "--work", required = true, description = "scratch folder (homes, logs)") Path work;
  @Option(names = "--out", defaultValue = "loadtest/results/scale-latest.json", description = "the results JSON")
  Path out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ScaleSim()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (deployments < 2) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--deployments: at least 2 (traffic flips "
          + "between dep0 and dep1)");
    }
    ScaleSettings s = new ScaleSettings(endpoints, deployments, instances, trials, jvms, heapMb, hzPort, httpPort,
        partitions, restSeconds);
    JsonObject result = new JsonObject().put("settings", new JsonObject().put("endpoints", endpoints)
        .put("deployments", deployments).put("instances_per_deployment", instances).put("jvms", jvms)
        .put("partitions", partitions).put("cores", Runtime.getRuntime().availableProcessors()));
    result.put("reconcile", ReconcileBench.measure());
    JsonArray runs = new JsonArray();
    if (!reconcileOnly) {
      for (int n : members) {
        Path dir = Files.createDirectories(work.resolve("n" + n));
        System.err.println("scale-sim: " + n + " members ...");
        try (ScaleRun run = new ScaleRun(s, n, dir)) {
          JsonObject r = run.run();
          runs.add(r);
          System.err.println("scale-sim: " + r.encode());
        } catch (Exception e) {
          runs.add(new JsonObject().put("members", n).put("stopped", e.toString()));
          System.err.println("scale-sim: " + n + " members stopped: " + e);
          break;
        }
      }
    }
    result.put("runs", runs);
    ScaleReport.summarize(result);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, result.encodePrettily());
    System.out.println(ScaleReport.table(result));
    return 0;
  }
}
