package io.sluice.node;

import io.sluice.cli.SluiceCli;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice node}: starts a node and runs until SIGTERM/SIGINT, then drains and leaves the cluster. */
@Command(name = "node", description = "Start a Sluice node (joins or forms a cluster); list, drain and undrain the "
    + "cluster's nodes.", subcommands = {io.sluice.cli.NodeCommands.List.class, io.sluice.cli.NodeCommands.Drain.class,
    io.sluice.cli.NodeCommands.Undrain.class})
public final class NodeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Option(names = "--config", description = "node config YAML (keys as in sluice-node.yaml)") Path config;
  @Option(names = "--http-port", description = "HTTP port (default 8080)") Integer httpPort;
  @Option(names = "--http-host", description = "address the HTTP port binds (default: the cluster host, 127.0.0.1 "
      + "unless --cluster-host is given; 0.0.0.0 for every interface)") String httpHost;
  @Option(names = "--bridge-port", description = "event-bus bridge port for applications (default the HTTP port + "
      + "1000; -1: none)") Integer bridgePort;
  @Option(names = "--grpc-port", description = "Open Inference Protocol gRPC port (default -1: none)")
  Integer grpcPort;
  @Option(names = "--cluster-tls", description = "folder with ca.pem, node.pem, node-key.pem: mutual TLS between "
      + "nodes (scripts/cluster-ca.sh makes it)") String clusterTls;
  @Option(names = "--home", description = "data folder (default $SLUICE_HOME or ~/.sluice)") String home;
  @Option(names = "--name", description = "stable node name (default node-<http port>)") String name;
  @Option(names = "--store-url", description = "JDBC URL of the store (default: embedded H2 in the home)")
  String storeUrl;
  @Option(names = "--cluster-name") String clusterName;
  @Option(names = "--cluster-config", description = "Hazelcast YAML or XML file") String clusterConfig;
  @Option(names = "--cluster-host", description = "address Hazelcast, the event bus and the embedded store's server bind (default 127.0.0.1)") String clusterHost;
  @Option(names = "--cluster-port", description = "event-bus port (default 0: any free port)") Integer clusterPort;
  @Option(names = "--public-url", description = "how clients reach this node (default http://127.0.0.1:<port>)")
  String publicUrl;
  @Option(names = "--join", description = "host:port of another member's Hazelcast port (repeatable)")
  List<String> join = new ArrayList<>();
  @Option(names = "--python", description = "default interpreter for score.py (default /usr/bin/python3)")
  String python;
  @Option(names = "--capacity", description = "most instances this node hosts") Integer capacity;
  @Option(names = "--instance-types", description = "comma-separated instance types offered (default *)")
  String instanceTypes;
  @Option(names = "--computes", description = "comma-separated compute names offered to Kubernetes-style endpoints "
      + "(compute: azureml:<name>; default *)")
  String computes;
  @Option(names = "--cpu", description = "cores resources.requests may take on this node, e.g. 4 or 3500m "
      + "(default: this machine's)")
  String cpu;
  @Option(names = "--memory", description = "memory resources.requests may take on this node, e.g. 16Gi "
      + "(default: this machine's)")
  String memory;
  @Option(names = "--roles", description = "comma-separated: control-plane, router, scorer-host (default all)")
  String roles;
  @Option(names = "--exit-when-up", hidden = true, description = "start, then stop at once (bin/sluice makes its "
      + "class-data archive this way)")
  boolean exitWhenUp;

  @Override
  public Integer call() throws Exception {
    Map<String, Object> flags = new LinkedHashMap<>();
    flags.put("http.port", httpPort);
    flags.put("http.host", httpHost);
    flags.put("bridge.port", bridgePort);
    flags.put("grpc.port", grpcPort);
    flags.put("tls.cluster_dir", clusterTls);
    flags.put("home", home);
    flags.put("node.name", name);
    flags.put("store.url", storeUrl);
    flags.put("cluster.name", clusterName);
    flags.put("cluster.config", clusterConfig);
    flags.put("cluster.host", clusterHost);
    flags.put("cluster.port", clusterPort);
    flags.put("http.public_url", publicUrl);
    flags.put("python.default", python);
    flags.put("node.capacity", capacity);
    flags.put("node.instance_types", instanceTypes);
    flags.put("node.computes", computes);
    flags.put("node.cpu", cpu);
    flags.put("node.memory", memory);
    flags.put("node.roles", roles);
    Map<String, String> env = ((SluiceCli) spec.root().userObject()).env();
    JsonObject conf = NodeConfig.load(config, env, flags);
    SluiceNode node = new SluiceNode(conf, join).start();
    spec.commandLine().getOut().println("Sluice node " + node.info().name() + " is up: " + node.info().publicUrl()
        + "  (SLUICE_HOME " + node.info().home() + ")");
    spec.commandLine().getOut().flush();
    if (exitWhenUp) {
      node.stop();
      return 0;
    }
    // SIGTERM/SIGINT are handled before the JVM starts shutting down: the graceful leave needs the store, and the
    // embedded H2 closes itself in its own shutdown hook. The hook below covers the other ways a JVM exits.
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicBoolean stopping = new AtomicBoolean();
    Runnable stop = () -> {
      if (stopping.compareAndSet(false, true)) {
        node.stop();
        stopped.countDown();
      }
    };
    for (String sig : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(sig), s -> new Thread(() -> {
        stop.run();
        System.exit(0);
      }, "sluice-sig" + sig).start());
    }
    Runtime.getRuntime().addShutdownHook(new Thread(stop, "sluice-shutdown"));
    stopped.await();
    return 0;
  }
}
