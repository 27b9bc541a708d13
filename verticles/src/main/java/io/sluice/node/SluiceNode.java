package io.sluice.node;

import io.sluice.endpoints.ControlPlaneRoutes;
import io.sluice.endpoints.EndpointManagerVerticle;
import io.sluice.auth.Keys;
import io.sluice.load.LoadPicture;
import io.sluice.load.LoadRoutes;
import io.sluice.load.LoadVerticle;
import io.sluice.protocol.NodeRoles;
import io.sluice.rollout.RolloutRunner;
import io.sluice.router.RouterVerticle;
import io.sluice.store.Store;
import io.sluice.supervisor.DeploymentSupervisorVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node: a clustered Vert.x on Hazelcast with the endpoint-manager, the deployment-supervisor and the router
 * (which serves HTTP: data plane, control plane, health, metrics). Scorer verticles come and go as the
 * supervisor leader orders.
 */
public final class SluiceNode {
  private static final Logger LOG = LoggerFactory.getLogger(SluiceNode.class);

  private final JsonObject conf;
  private final List<String> join;
  private Vertx vertx;
  private Store store;
  private NodeInfo info;
  private final List<String> deployments = new ArrayList<>();
  private DeploymentSupervisorVerticle supervisor;
  private String adminToken;
  /** The cluster's load, as this node hears it from every router. */
  private LoadPicture loadPicture;
  private String tokenSecret;

  public SluiceNode(JsonObject conf, List<String> join) {
    this.conf = conf;
    this.join = join;
  }

  public NodeInfo info() {
    return info;
  }

  public Vertx vertx() {
    return vertx;
  }

  public static Path home(JsonObject conf) {
    String h = NodeConfig.str(conf, "home", null);
    return Path.of(h != null ? h : System.getProperty("user.home") + "/.sluice").toAbsolutePath();
  }

  /** Starts the node: each step below in order; a failing step stops the start. */
  public SluiceNode start() throws Exception {
    Path home = home(conf);
    Files.createDirectories(home);
    openStore(home);
    loadPicture = new LoadPicture(loadRetentionSeconds(), NodeConfig.integer(conf, "load.max_series", 1000));
    joinCluster();
    describeNode(home);
    deployActors();
    mountHttp();
    writeClientFiles(home, info.publicUrl(), adminToken);
    LOG.info("Sluice node {} ({}) serving {} ; SLUICE_HOME {}", info.name(), info.nodeId(), info.publicUrl(), home);
    return this;
  }

  /** The durable store, and the cluster-wide secrets kept in it. */
  private void openStore(Path home) throws Exception {
    String storeUrl = NodeConfig.str(conf, "store.url", Store.defaultUrl(home));
    store = Store.open(storeUrl, NodeConfig.str(conf, "store.user", "sa"), NodeConfig.str(conf, "store.password", ""));
    adminToken = secret(store, "admin-token");
    tokenSecret = secret(store, "token-secret");
  }

  /** A clustered Vert.x on Hazelcast, with its metrics registry named after this node. */
  private void joinCluster() throws Exception {
    String clusterHost = NodeConfig.str(conf, "cluster.host", "127.0.0.1");
    HazelcastClusterManager cm = new HazelcastClusterManager(ClusterSetup.hazelcast(
        NodeConfig.str(conf, "cluster.config", null), NodeConfig.str(conf, "cluster.name", "sluice"), join,
        clusterHost));
    VertxOptions options = new VertxOptions()
        .setEventBusOptions(Tls.eventBus(conf, new EventBusOptions().setHost(clusterHost)
            .setPort(NodeConfig.integer(conf, "cluster.port", 0))))
        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setRegistryName(registryName())
            .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
    vertx = Vertx.builder().with(options).withClusterManager(cm).withMetrics(new MicrometerMetricsFactory())
        .buildClustered().await(120, TimeUnit.SECONDS);
  }

  /** node-<port> on one machine; node-<address>-<port> when nodes sit on different hosts. */
  private String nodeName() {
    int port = NodeConfig.integer(conf, "http.port", 8080);
    String clusterHost = NodeConfig.str(conf, "cluster.host", "127.0.0.1");
    return NodeConfig.str(conf, "node.name", clusterHost.startsWith("127.") ? "node-" + port
        : "node-" + clusterHost + "-" + port);
  }

  private long loadRetentionSeconds() {
    return NodeConfig.integer(conf, "load.retention_seconds", 900);
  }

  private String registryName() {
    return "sluice-" + nodeName();
  }

  /** What this node is (roles, instance types, capacity, interpreters), from its config. */
  private void describeNode(Path home) {
    int port = NodeConfig.integer(conf, "http.port", 8080);
    String publicUrl = NodeConfig.str(conf, "http.public_url", (Tls.http(conf) ? "https" : "http") + "://127.0.0.1:"
        + port);
    JsonObject py = conf.getJsonObject("python", new JsonObject());
    Map<String, String> envs = new HashMap<>();
    py.getJsonObject("environments", new JsonObject()).forEach(e -> envs.put(e.getKey(), String.valueOf(e.getValue())));
    List<String> roles = NodeConfig.list(conf, "node.roles", NodeRoles.ALL);
    for (String r : roles) {
      if (!NodeRoles.ALL.contains(r)) {
        throw new IllegalArgumentException("node.roles: unknown role '" + r + "' (roles: " + NodeRoles.ALL + ")");
      }
    }
    info = new NodeInfo(((VertxInternal) vertx).clusterManager().getNodeId(), nodeName(), home, publicUrl, roles,
        NodeConfig.list(conf, "node.instance_types", List.of("*")), NodeConfig.integer(conf, "node.capacity", 64),
        NodeConfig.str(conf, "python.default", "/usr/bin/python3"), envs,
        NodeConfig.integer(conf, "node.leave_timeout_ms", 60_000));
  }

  /** The endpoint-manager (control-plane role), the supervisor and the load picture (every node). */
  private void deployActors() throws Exception {
    deployments.add(vertx.deployVerticle(new LoadVerticle(loadPicture)).await(60, TimeUnit.SECONDS));
    if (info.has(NodeRoles.CONTROL_PLANE)) {
      deployments.add(vertx.deployVerticle(new EndpointManagerVerticle(store, tokenSecret,
          NodeConfig.integer(conf, "auth.token_ttl_seconds", 3600))).await(60, TimeUnit.SECONDS));
    }
    RolloutRunner rollouts = new RolloutRunner(vertx, loadPicture);
    supervisor = new DeploymentSupervisorVerticle(info, store, List.of(rollouts::round));
    deployments.add(vertx.deployVerticle(supervisor).await(60, TimeUnit.SECONDS));
  }

  /** The router owns the one HTTP server: data plane (router role), health, metrics, /api/ (control-plane role). */
  private void mountHttp() throws Exception {
    ControlPlaneRoutes api = new ControlPlaneRoutes(vertx, store, adminToken, info.publicUrl(),
        NodeConfig.number(conf, "limits.max_upload_bytes", 1L << 30));
    HttpServerOptions http = Tls.httpServer(conf).setHost(NodeConfig.str(conf, "http.host", "0.0.0.0"))
        .setPort(NodeConfig.integer(conf, "http.port", 8080));
    RouterVerticle router = new RouterVerticle(info.nodeId(), http,
        NodeConfig.number(conf, "limits.max_body_bytes", 100L << 20), r -> {
          r.get("/healthz").handler(ctx -> ctx.json(new JsonObject().put("status", "UP").put("node", info.name())
              .put("node_id", info.nodeId()).put("members", ((VertxInternal) vertx).clusterManager().getNodes().size())));
          r.get("/metrics").handler(PrometheusScrapingHandler.create(registryName()));
          if (info.has(NodeRoles.CONTROL_PLANE)) {
            api.mount(r);
            new LoadRoutes(vertx, loadPicture, loadRetentionSeconds()).mount(r);
          }
        }, info.has(NodeRoles.ROUTER), BackendRegistries.getNow(registryName()));
    deployments.add(vertx.deployVerticle(router).await(60, TimeUnit.SECONDS));
  }

  /**
   * Cluster-wide, durable secrets (the admin token, the aml_token signing secret): the first node creates them in
   * the store, every later node and restart reads them back.
   */
  private static String secret(Store store, String name) throws Exception {
    synchronized (SluiceNode.class) {
      var existing = store.get(Store.SETTING, name);
      if (existing.isPresent()) {
        return existing.get().getString("value");
      }
      store.put(Store.SETTING, name, new JsonObject().put("value", Keys.generate(48)));
      return store.get(Store.SETTING, name).orElseThrow().getString("value");
    }
  }

  /** What the CLI on this machine reads to find a node and authenticate; the token file is owner-only. */
  private static void writeClientFiles(Path home, String url, String token) throws Exception {
    Path tokenFile = home.resolve("admin-token");
    Path tmp = Files.createTempFile(home, ".token", "");
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
    Files.writeString(tmp, token + "\n");
    Files.move(tmp, tokenFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    Files.writeString(home.resolve("node.json"), new JsonObject().put("url", url).encodePrettily() + "\n");
  }

  /**
   * Graceful stop: first the leader moves this node's instances elsewhere (replacements Ready before these drain),
   * then the remaining verticles stop and the node leaves the cluster.
   */
  public void stop() {
    try {
      supervisor.leave().await(NodeConfig.integer(conf, "node.leave_timeout_ms", 60_000) + 5_000L,
          TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("moving instances away: {}", e.toString());
    }
    try {
      for (int i = deployments.size() - 1; i >= 0; i--) {
        vertx.undeploy(deployments.get(i)).await(60, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      LOG.warn("stopping verticles: {}", e.toString());
    }
    try {
      vertx.close().await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("leaving the cluster: {}", e.toString());
    }
    try {
      store.close();
    } catch (Exception e) {
      LOG.warn("closing the store: {}", e.toString());
    }
    LOG.info("Sluice node {} left the cluster", info.name());
  }
}
