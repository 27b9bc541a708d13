package io.sluice.node;

import io.sluice.auth.ClusterTrust;
import io.sluice.auth.ProvedNodes;
import io.sluice.auth.Unproved;
import io.sluice.auth.Versions;
import io.sluice.protocol.ProtocolVersion;
import io.sluice.auth.KeyHasher;
import io.sluice.bridge.BridgeSettings;
import io.sluice.bridge.BridgeVerticle;
import io.sluice.channel.ChannelHandshake;
import io.sluice.channel.ChannelVerticle;
import io.sluice.endpoints.ControlPlaneRoutes;
import io.sluice.endpoints.EndpointManagerVerticle;
import io.sluice.load.LoadPicture;
import io.sluice.load.LoadRoutes;
import io.sluice.load.LoadVerticle;
import io.sluice.protocol.NodeRoles;
import io.sluice.rollout.RolloutRunner;
import io.sluice.endpoints.Janitor;
import io.sluice.router.RouterVerticle;
import io.sluice.store.Store;
import io.sluice.supervisor.DeploymentSupervisorVerticle;
import io.sluice.ui.UiRoutes;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxBootstrapImpl;
import io.vertx.core.internal.VertxBootstrap;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.nio.file.Path;
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
  private final NodeSettings settings;
  private final List<String> join;
  private Vertx vertx;
  private Store store;
  private NodeInfo info;
  private final List<String> deployments = new ArrayList<>();
  private DeploymentSupervisorVerticle supervisor;
  private ClusterSecrets secrets;
  /** The cluster's load, as this node hears it from every router. */
  private LoadPicture loadPicture;
  private BridgeVerticle bridge;
  /** /healthz: UP only when every step of start() is done (the CLI's files are written last), until stop(). */
  private Health health;
  private RouterVerticle router;
  private ChannelVerticle channel;
  private ClusterTrust trust;
  /** The instances this node hosts: its scorers register here; its router and scoring channel call them. */
  private final io.sluice.scoring.LocalInstances locals = new io.sluice.scoring.LocalInstances();

  public SluiceNode(JsonObject conf, List<String> join) {
    this.conf = conf;
    this.settings = new NodeSettings(conf);
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
    HomeFolder.create(home);
    openStore(home);
    loadPicture = new LoadPicture(settings.loadRetentionSeconds(), NodeConfig.integer(conf, "load.max_series", 1000));
    joinCluster();
    openChannel();
    describeNode(home);
    refuseIncompatibleCluster();
    deployActors();
    mountHttp();
    openBridge();
    HomeFolder.writeClientFiles(home, apiUrl(), secrets.adminToken(),
        bridge == null ? null : settings.bridgeHost() + ":" + bridge.actualPort());
    health.phase(Health.Phase.UP);
    LOG.info("Sluice node {} ({}) serving {} ; SLUICE_HOME {}", info.name(), info.nodeId(), info.publicUrl(), home);
    return this;
  }

  /**
   * The durable store, and the cluster-wide secrets kept in it. The embedded store's server (H2 AUTO_SERVER, which
   * lets the other node processes of this machine share the file) listens on the cluster host only.
   */
  private void openStore(Path home) throws Exception {
    System.setProperty("h2.bindAddress", settings.clusterHost());
    String storeUrl = NodeConfig.str(conf, "store.url", Store.defaultUrl(home));
    store = Store.open(storeUrl, NodeConfig.str(conf, "store.user", "sa"), NodeConfig.str(conf, "store.password", ""),
        new Store.Settings(NodeConfig.integer(conf, "store.pool_size", Store.Settings.DEFAULT.poolSize()),
            NodeConfig.integer(conf, "store.query_timeout_ms", Store.Settings.DEFAULT.queryTimeoutMs())));
    HomeFolder.restrict(home);
    secrets = ClusterSecrets.load(store);
  }

  /**
   * A clustered Vert.x on Hazelcast, with its metrics registry named after this node. Hazelcast and the event bus
   * bind the cluster host only; control messages are signed and checked before any actor starts.
   */
  private void joinCluster() throws Exception {
    String clusterHost = settings.clusterHost();
    ProvedNodes provedNodes = new ProvedNodes();
    HazelcastClusterManager cm = new ProvedClusterManager(ClusterSetup.hazelcast(
        NodeConfig.str(conf, "cluster.config", null), NodeConfig.str(conf, "cluster.name", "sluice"),
        join.isEmpty() ? NodeConfig.list(conf, "cluster.join", List.of()) : join, clusterHost), provedNodes);
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions().setEnabled(true)
        .setRegistryName(settings.registryName()).setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true));
    if (!NodeConfig.bool(conf, "metrics.vertx_http_server", true)) {
      // no vertx_http_server_* series at all (Sluice's own per-deployment series stay)
      metrics.addDisabledMetricsCategory(io.vertx.micrometer.MetricsDomain.HTTP_SERVER);
    }
    VertxOptions options = new VertxOptions()
        .setEventBusOptions(Tls.eventBus(conf, new EventBusOptions().setHost(clusterHost)
            .setPort(NodeConfig.integer(conf, "cluster.port", 0))))
        .setMetricsOptions(metrics);
    // Vert.x's builder has no door for a node selector: the bootstrap behind it does (what Vertx.builder() does)
    VertxBootstrapImpl boot = (VertxBootstrapImpl) VertxBootstrap.create().options(options)
        .metricsFactory(new SluiceMetrics(settings.registryName()))
        .transport(NodeConfig.transport(conf).implementation())
        .clusterManager(cm);
    boot.clusterNodeSelector(new ProvedNodeSelector(provedNodes));
    vertx = boot.init().clusteredVertx().await(120, TimeUnit.SECONDS);
    trust = new ClusterTrust(secrets.adminToken(), provedNodes,
        new Unproved(BackendRegistries.getNow(settings.registryName())),
        new Versions(settings.protocolVersion())).install(vertx, secrets.adminToken(), cm.getNodeId());
    provedNodes.start(vertx).await(30, TimeUnit.SECONDS);
    // a joining member may be a split healing: this node's instances then say again that they exist
    cm.getHazelcastInstance().getCluster().addMembershipListener(new com.hazelcast.cluster.MembershipAdapter() {
      @Override
      public void memberAdded(com.hazelcast.cluster.MembershipEvent e) {
        locals.memberJoined();
      }
    });
  }

  /**
   * The scoring channel (scorer hosts): routers on other nodes send scoring requests here over kept-open TCP
   * connections. channel.port: 0 (the default) any free port on the cluster host; -1 none (the event bus carries
   * them). Nodes only: the handshake proves the admin token's channel key; the cluster's mutual TLS when it is on.
   */
  private void openChannel() throws Exception {
    int port = NodeConfig.integer(conf, "channel.port", 0);
    if (port < 0 || !NodeConfig.list(conf, "node.roles", NodeRoles.ALL).contains(NodeRoles.SCORER_HOST)) {
      return;
    }
    channel = new ChannelVerticle(new ChannelVerticle.Settings(Tls.channelServer(conf, new NetServerOptions()
        .setHost(settings.clusterHost()).setPort(port)), NodeConfig.number(conf, "limits.max_body_bytes", 100L << 20)
        + (1 << 20), NodeConfig.integer(conf, "channel.max_connections", 256),
        NodeConfig.integer(conf, "channel.handshake_timeout_ms", 5000),
        NodeConfig.number(conf, "channel.frame_budget_bytes", 256L << 20),
        NodeConfig.number(conf, "channel.frame_timeout_ms", 30_000)), new ChannelHandshake(secrets.adminToken()),
        ((VertxInternal) vertx).clusterManager().getNodeId(), trust.unproved(), locals);
    deployments.add(vertx.deployVerticle(channel).await(60, TimeUnit.SECONDS));
  }

  /** What this node is (roles, instance types, capacity, interpreters), from its config. */
  private void describeNode(Path home) {
    int port = NodeConfig.integer(conf, "http.port", 8080);
    String host = settings.httpHost().equals("0.0.0.0") ? settings.clusterHost() : settings.httpHost();
    String publicUrl = NodeConfig.str(conf, "http.public_url", (Tls.http(conf) ? "https" : "http") + "://" + host
        + ":" + port);
    JsonObject py = conf.getJsonObject("python", new JsonObject());
    Map<String, String> envs = new HashMap<>();
    py.getJsonObject("environments", new JsonObject()).forEach(e -> envs.put(e.getKey(), String.valueOf(e.getValue())));
    List<String> roles = NodeConfig.list(conf, "node.roles", NodeRoles.ALL);
    for (String r : roles) {
      if (!NodeRoles.ALL.contains(r)) {
        throw new IllegalArgumentException("node.roles: unknown role '" + r + "' (roles: " + NodeRoles.ALL + ")");
      }
    }
    info = new NodeInfo(((VertxInternal) vertx).clusterManager().getNodeId(), settings.nodeName(), home, publicUrl,
        roles,
        NodeConfig.list(conf, "node.instance_types", List.of("*")), NodeConfig.integer(conf, "node.capacity", 64),
        NodeConfig.str(conf, "python.default", "/usr/bin/python3"), envs,
        NodeConfig.integer(conf, "node.leave_timeout_ms", 60_000), NodeConfig.integer(conf, "python.spare_workers", 1),
        NodeConfig.list(conf, "node.computes", List.of("*")), NodeConfig.declaredCpu(conf), NodeConfig.declaredMemory(conf),
        channel == null ? "" : channel.address(), busAddress(), settings.protocolVersion());
  }

  /** Where this node's event bus listens, as Vert.x published it. */
  private String busAddress() {
    io.vertx.core.spi.cluster.NodeInfo bus = ((VertxInternal) vertx).clusterManager().getNodeInfo();
    return bus.host() + ":" + bus.port();
  }

  /**
   * A node that finds a member it cannot talk to (protocol versions more than one apart) does not join: it writes
   * its entry so the others can say whom they met, waits for them to read it, leaves, and says why.
   */
  private void refuseIncompatibleCluster() throws Exception {
    List<Versions.Met> met = trust.versions().incompatible();
    if (met.isEmpty()) {
      return;
    }
    trust.nodes().publish(info.facts()).await(10, TimeUnit.SECONDS);
    Thread.sleep(4000); // the others read the node map every 2 s
    vertx.close().await(60, TimeUnit.SECONDS);
    ClusterTrust.uninstall(vertx);
    store.close();
    throw new IllegalStateException("this node speaks protocol version " + trust.versions().own() + " (it reads "
        + ProtocolVersion.range(trust.versions().own()) + "); the cluster's "
        + met.stream().map(m -> (m.name() == null ? m.nodeId() : m.name()) + " writes " + m.protocol()).toList()
        + ": they cannot talk. Upgrade one release at a time (docs/operations.md, Upgrades)");
  }

  /** Where the CLI on this machine sends /api/ calls: this node, or (without the control-plane role) one that has it. */
  private String apiUrl() {
    return info.has(NodeRoles.CONTROL_PLANE) ? info.publicUrl() : trust.nodes().all().stream()
        .filter(n -> n.has(NodeRoles.CONTROL_PLANE)).map(io.sluice.protocol.NodeFacts::url).sorted().findFirst()
        .orElse(info.publicUrl());
  }

  /** The endpoint-manager (control-plane role), the supervisor and the load picture (every node). */
  private void deployActors() throws Exception {
    deployments.add(vertx.deployVerticle(new LoadVerticle(info.nodeId(), loadPicture)).await(60, TimeUnit.SECONDS));
    if (info.has(NodeRoles.CONTROL_PLANE)) {
      deployments.add(vertx.deployVerticle(new EndpointManagerVerticle(store, secrets.tokenKeys(),
          new KeyHasher(secrets.adminToken()), NodeConfig.integer(conf, "auth.token_ttl_seconds", 3600)))
          .await(60, TimeUnit.SECONDS));
    }
    RolloutRunner rollouts = new RolloutRunner(vertx, loadPicture,
        Tls.routerClient(conf, new io.vertx.core.http.HttpClientOptions()));
    Janitor janitor = new Janitor(vertx, store, NodeConfig.number(conf, "limits.upload_grace_seconds", 3600));
    supervisor = new DeploymentSupervisorVerticle(info, store, settings.zipLimits(), loadPicture,
        List.of(rollouts::round, janitor::round), locals, BackendRegistries.getNow(settings.registryName()));
    deployments.add(vertx.deployVerticle(supervisor).await(60, TimeUnit.SECONDS));
    io.sluice.collect.CollectedCap.everyMinute(vertx, home(conf), NodeConfig.number(conf, "collect.max_bytes",
        10L << 30));
  }

  /** Once a minute: collected data under SLUICE_HOME/collected kept within collect.max_bytes (oldest go first). */

  /** The router owns the one HTTP server: data plane (router role), health, metrics, /api/ (control-plane role). */
  private void mountHttp() throws Exception {
    ControlPlaneRoutes api = new ControlPlaneRoutes(vertx, store, secrets.adminToken(), info.publicUrl(),
        NodeConfig.number(conf, "limits.max_upload_bytes", 1L << 30), settings.zipLimits());
    // idle: longer than the longest request_timeout_ms (300 s), or a silent long request would be cut
    HttpServerOptions http = Tls.httpServer(conf).setHost(settings.httpHost()).setPort(settings.httpPort())
        .setIdleTimeout(NodeConfig.integer(conf, "http.idle_timeout_seconds", 360))
        .setMaxHeaderSize(NodeConfig.integer(conf, "http.max_header_bytes", 8192))
        .setMaxInitialLineLength(NodeConfig.integer(conf, "http.max_initial_line_bytes", 4096));
    health = new Health(vertx, info, trust.versions(), () -> router == null ? null : router.drained(info.name()));
    router = new RouterVerticle(info.nodeId(), http, new KeyHasher(secrets.adminToken()),
        NodeConfig.number(conf, "limits.max_body_bytes", 100L << 20), r -> {
          health.mount(r);
          r.get("/metrics").handler(PrometheusScrapingHandler.create(settings.registryName()));
          UiRoutes ui = new UiRoutes(vertx);
          if (info.has(NodeRoles.ROUTER)) {
            ui.mountPage(r);
          }
          if (info.has(NodeRoles.CONTROL_PLANE)) {
            api.mount(r);
            new LoadRoutes(vertx, loadPicture, settings.loadRetentionSeconds()).mount(r);
            ui.mountApi(r);
          }
        }, info.has(NodeRoles.ROUTER), BackendRegistries.getNow(settings.registryName()), loadPicture,
        new ChannelHandshake(secrets.adminToken()), Tls.channelClient(conf, new NetClientOptions()
            .setConnectTimeout(2000)), locals);
    router.grpcPort(NodeConfig.integer(conf, "grpc.port", -1)); // the Open Inference Protocol's gRPC (-1: none)
    deployments.add(vertx.deployVerticle(router).await(60, TimeUnit.SECONDS));
  }

  /**
   * The applications' door (router role): the event-bus bridge, sluice.invoke only. bridge.port defaults to the
   * HTTP port + 1000 (-1: no bridge); bridge.host to the HTTP host.
   */
  private void openBridge() throws Exception {
    int port = NodeConfig.integer(conf, "bridge.port", settings.httpPort() + 1000);
    if (!info.has(NodeRoles.ROUTER) || port < 0) {
      return;
    }
    NetServerOptions server = Tls.bridgeServer(conf).setHost(settings.bridgeBindHost()).setPort(port)
        .setIdleTimeout(NodeConfig.integer(conf, "bridge.idle_timeout_seconds", 600));
    bridge = new BridgeVerticle(new BridgeSettings(server, NodeConfig.integer(conf, "bridge.max_frame_bytes",
        16 << 20), NodeConfig.integer(conf, "bridge.max_connections", 256),
        NodeConfig.integer(conf, "bridge.max_in_flight", 64), NodeConfig.integer(conf, "bridge.max_timeout_ms",
        300_000), NodeConfig.number(conf, "bridge.frame_budget_bytes", 64L << 20),
        NodeConfig.number(conf, "bridge.frame_timeout_ms", 30_000), NodeConfig.number(conf, "bridge.write_stall_ms",
        30_000)));
    deployments.add(vertx.deployVerticle(bridge).await(60, TimeUnit.SECONDS));
  }

  /**
   * Graceful stop: first the leader moves this node's instances elsewhere (replacements Ready before these drain),
   * then the remaining verticles stop and the node leaves the cluster.
   */
  public void stop() {
    health.phase(Health.Phase.STOPPING);
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
    ClusterTrust.uninstall(vertx);
    try {
      store.close();
    } catch (Exception e) {
      LOG.warn("closing the store: {}", e.toString());
    }
    LOG.info("Sluice node {} left the cluster", info.name());
  }
}
