package io.sluice.node;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The node's configuration, read with vertx-config-yaml: the embedded defaults ({@code sluice-node.yaml}), then
 * the file given by --config, then {@code SLUICE_*} environment variables, then command-line flags.
 */
public final class NodeConfig {
  private NodeConfig() {
  }

  /** SLUICE_* variables and the config path they override. */
  static final Map<String, String> ENV = Map.ofEntries(
      Map.entry("SLUICE_HOME", "home"),
      Map.entry("SLUICE_HTTP_HOST", "http.host"),
      Map.entry("SLUICE_HTTP_PORT", "http.port"),
      Map.entry("SLUICE_BRIDGE_PORT", "bridge.port"),
      Map.entry("SLUICE_GRPC_PORT", "grpc.port"),
      Map.entry("SLUICE_CLUSTER_TLS", "tls.cluster_dir"),
      Map.entry("SLUICE_PUBLIC_URL", "http.public_url"),
      Map.entry("SLUICE_NODE_NAME", "node.name"),
      Map.entry("SLUICE_CAPACITY", "node.capacity"),
      Map.entry("SLUICE_ROLES", "node.roles"),
      Map.entry("SLUICE_INSTANCE_TYPES", "node.instance_types"),
      Map.entry("SLUICE_COMPUTES", "node.computes"),
      Map.entry("SLUICE_CLUSTER_NAME", "cluster.name"),
      Map.entry("SLUICE_CLUSTER_CONFIG", "cluster.config"),
      Map.entry("SLUICE_CLUSTER_HOST", "cluster.host"),
      Map.entry("SLUICE_STORE_URL", "store.url"),
      Map.entry("SLUICE_STORE_USER", "store.user"),
      Map.entry("SLUICE_STORE_PASSWORD", "store.password"),
      Map.entry("SLUICE_PYTHON", "python.default"));

  /** Loads and merges every layer; {@code flags} holds dotted paths to values given on the command line. */
  public static JsonObject load(Path file, Map<String, String> env, Map<String, Object> flags) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      ConfigRetrieverOptions opts = new ConfigRetrieverOptions().setScanPeriod(0)
          .addStore(new ConfigStoreOptions().setType("file").setFormat("yaml")
              .setConfig(new JsonObject().put("path", "sluice-node.yaml")));
      if (file != null) {
        opts.addStore(new ConfigStoreOptions().setType("file").setFormat("yaml")
            .setConfig(new JsonObject().put("path", file.toAbsolutePath().toString())));
      }
      JsonObject conf = ConfigRetriever.create(vertx, opts).getConfig().await(30, TimeUnit.SECONDS);
      ENV.forEach((var, path) -> {
        if (env.get(var) != null && !env.get(var).isEmpty()) {
          set(conf, path, env.get(var));
        }
      });
      flags.forEach((path, v) -> {
        if (v != null) {
          set(conf, path, v);
        }
      });
      return conf;
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  static void set(JsonObject conf, String dotted, Object value) {
    String[] parts = dotted.split("\\.");
    JsonObject o = conf;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonObject next = o.getJsonObject(parts[i]);
      if (next == null) {
        next = new JsonObject();
        o.put(parts[i], next);
      }
      o = next;
    }
    Object v = value;
    if (value instanceof String s && s.matches("-?\\d{1,9}")) {
      v = Integer.parseInt(s);
    }
    o.put(parts[parts.length - 1], v);
  }

  public static String str(JsonObject conf, String dotted, String dflt) {
    Object v = get(conf, dotted);
    return v == null || String.valueOf(v).isEmpty() ? dflt : String.valueOf(v);
  }

  public static int integer(JsonObject conf, String dotted, int dflt) {
    Object v = get(conf, dotted);
    return v == null ? dflt : Integer.parseInt(String.valueOf(v));
  }

  /** true/false; anything else names the setting and the rule. */
  public static boolean bool(JsonObject conf, String dotted, boolean dflt) {
    Object v = get(conf, dotted);
    if (v == null) {
      return dflt;
    }
    String s = String.valueOf(v).trim().toLowerCase(java.util.Locale.ROOT);
    if (!s.equals("true") && !s.equals("false")) {
      throw new IllegalArgumentException(dotted + ": must be true or false; got '" + v + "'");
    }
    return s.equals("true");
  }

  public static long number(JsonObject conf, String dotted, long dflt) {
    Object v = get(conf, dotted);
    return v == null ? dflt : Long.parseLong(String.valueOf(v));
  }

  /** A list setting given as a YAML list or a comma-separated string. */
  public static java.util.List<String> list(JsonObject conf, String dotted, java.util.List<String> dflt) {
    Object v = get(conf, dotted);
    java.util.List<String> out = new java.util.ArrayList<>();
    if (v instanceof io.vertx.core.json.JsonArray a) {
      a.forEach(t -> out.add(String.valueOf(t).trim()));
    } else if (v != null) {
      for (String t : String.valueOf(v).split(",")) {
        if (!t.isBlank()) {
          out.add(t.trim());
        }
      }
    }
    return out.isEmpty() ? dflt : out;
  }

  static Object get(JsonObject conf, String dotted) {
    String[] parts = dotted.split("\\.");
    Object o = conf;
    for (String p : parts) {
      if (!(o instanceof JsonObject j)) {
        return null;
      }
      o = j.getValue(p);
    }
    return o;
  }

  /** node.cpu: the cores resources.requests may take here (a quantity, "4" or "3500m"); default this machine's. */
  static long declaredCpu(JsonObject conf) {
    String v = NodeConfig.str(conf, "node.cpu", "");
    return v.isEmpty() ? Runtime.getRuntime().availableProcessors() * 1000L
        : io.sluice.protocol.Quantities.cpuMillis("node.cpu", v);
  }

  /** node.memory: the memory resources.requests may take here ("16Gi"); default this machine's. */
  static long declaredMemory(JsonObject conf) {
    String v = NodeConfig.str(conf, "node.memory", "");
    if (!v.isEmpty()) {
      return io.sluice.protocol.Quantities.memoryBytes("node.memory", v);
    }
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getTotalMemorySize();
  }

  /**
   * NIO by default; {@code transport: epoll} in the node's config takes Netty's native epoll transport (bundled for
   * Linux x86-64) where it loads. Epoll cost the event loop about 10 µs less per Python request (docs/benchmarks.md),
   * but a request refused while its body is still arriving may then see its connection reset before it reads the
   * answer (ClosedDoorsTest saw it), so it is not the default.
   */
  static io.vertx.core.transport.Transport transport(JsonObject conf) {
    if (!"epoll".equalsIgnoreCase(NodeConfig.str(conf, "transport", "nio"))) {
      return io.vertx.core.transport.Transport.NIO;
    }
    if (io.vertx.core.transport.Transport.EPOLL.available()) {
      return io.vertx.core.transport.Transport.EPOLL;
    }
    org.slf4j.LoggerFactory.getLogger(SluiceNode.class).info("native epoll transport unavailable ({}); using NIO",
        io.vertx.core.transport.Transport.EPOLL.unavailabilityCause().getMessage());
    return io.vertx.core.transport.Transport.NIO;
  }
}
