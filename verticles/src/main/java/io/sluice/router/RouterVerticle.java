package io.sluice.router;

import io.sluice.protocol.NodeFacts;
import io.sluice.auth.ClusterTrust;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.auth.Authenticator;
import io.sluice.auth.KeyHasher;
import io.sluice.channel.ChannelHandshake;
import io.sluice.load.LoadRecorder;
import io.sluice.protocol.Addresses;
import io.sluice.protocol.DeploymentKey;
import io.sluice.protocol.ClusterCalls;
import io.sluice.load.LoadPicture;
import io.sluice.load.OwnLoad;
import io.sluice.auth.ProvedNodes;
import io.sluice.scoring.LocalInstances;
import io.sluice.protocol.LoadReport;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.ext.web.Router;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The node's HTTP server and the data plane's wiring. A request reads top to bottom through this package:
 * {@link ScoringHandler} (HTTP or {@code sluice.invoke} in, an {@link Outcome} out) asks the {@link Authenticator},
 * then the {@link Dispatcher} (split, mirror, admission, instance), which calls the instance through a
 * {@link ScorerTransport} ({@link LocalTransport} in this JVM, {@link ChannelTransport} to other nodes' scoring
 * channels, {@link EventBusTransport} where there is none yet);
 * {@link Answers} maps the reply to Azure's statuses. {@link RouteFollower} keeps the {@link RoutingTable} true;
 * the request path never reads the store or a distributed map. Each second the router sends what it answered
 * ({@link LoadRecorder}) to the load hub, for every node's load picture.
 */
public final class RouterVerticle extends VerticleBase {
  private final String nodeId;
  /** This node's load picture (every node keeps one): where the admission shares come from. */
  private final LoadPicture picture;
  /** False on a node without the router role: it serves only health, metrics and the control plane. */
  private final boolean dataPlane;
  private final RouterMetrics metrics;
  /** host, port and (when configured) TLS of the node's one HTTP server. */
  private final HttpServerOptions serverOptions;
  private final long maxBodyBytes;
  /** How keys are hashed: the router is sent key hashes, never keys. */
  private final KeyHasher keyHasher;
  private final Consumer<Router> extraRoutes;
  private HttpServer server;
  private RouteFollower follower;
  private ScoringHandler scoring;
  /** The Open Inference Protocol's routes ({@code /v2/...}), on the same port. */
  private OipDoor oip;
  private long loadTimer = -1;
  private int grpcPort = -1;
  /** How this router proves itself to other nodes' scoring channels, and its client's options (TLS). */
  private final ChannelHandshake channelHandshake;
  private final NetClientOptions channelClient;
  private ChannelTransport channels;
  /** This node's instances, called directly. */
  private final LocalInstances locals;
  /** The deployments of the last table, to notice when one goes. */
  private Set<DeploymentKey> routed = Set.of();

  /** {@code extraRoutes} mounts the other handlers this node serves on the same port (control plane, health). */
  public RouterVerticle(String nodeId, HttpServerOptions serverOptions, KeyHasher keyHasher, long maxBodyBytes,
                        Consumer<Router> extraRoutes, boolean dataPlane, MeterRegistry registry, LoadPicture picture,
                        ChannelHandshake channelHandshake, NetClientOptions channelClient, LocalInstances locals) {
    this.locals = locals;
    this.channelHandshake = channelHandshake;
    this.channelClient = channelClient;
    this.nodeId = nodeId;
    this.picture = picture;
    this.keyHasher = keyHasher;
    this.serverOptions = serverOptions;
    this.maxBodyBytes = maxBodyBytes;
    this.extraRoutes = extraRoutes;
    this.dataPlane = dataPlane;
    this.metrics = new RouterMetrics(registry);
  }

  public int actualPort() {
    return server.actualPort();
  }

  /** Serve the Open Inference Protocol's gRPC on {@code port} too (same host and TLS as HTTP); -1: not at all. */
  public void grpcPort(int port) {
    this.grpcPort = port;
  }

  @Override
  public Future<?> start() {
    Router routes = Router.router(vertx);
    extraRoutes.accept(routes);
    if (!dataPlane) {
      return listen(routes);
    }
    return followRoutes().onSuccess(v -> openEventBusDoor()).compose(v -> listen(routes)).compose(s -> listenGrpc());
  }

  /** The routing table, followed from the control plane and the instances' events. */
  private Future<Void> followRoutes() {
    Authenticator auth = new Authenticator(vertx, keyHasher);
    follower = new RouteFollower(vertx, context, nodeId, auth::useTokenPublicKey, metrics::instances);
    LoadRecorder load = new LoadRecorder(nodeId);
    channels = new ChannelTransport(vertx, channelHandshake, channelClient, () -> Future.succeededFuture(
        ClusterTrust.of(vertx).nodes().all().stream().map(NodeFacts::toJson).toList()));
    channels.start();
    metrics.channels(channels::ready, channels::calls);
    Dispatcher dispatcher = new Dispatcher(metrics, load, new LocalTransport(vertx, context, locals), channels,
        new EventBusTransport(vertx));
    scoring = new ScoringHandler(follower::table, auth, dispatcher, metrics, maxBodyBytes);
    oip = new OipDoor(follower::table, auth, scoring, io.sluice.node.Release.version());
    follower.onTable(t -> forgetGone(t, dispatcher));
    reportLoad(load, dispatcher);
    return follower.start();
  }

  /** Meters and counts of deployments and endpoints no longer routed to are dropped: nothing grows with churn. */
  private void forgetGone(RoutingTable t, Dispatcher dispatcher) {
    Set<DeploymentKey> live = t.deploymentKeys();
    if (!live.equals(routed)) {
      routed = live;
      metrics.retain(t.endpoints.keySet(), live);
      dispatcher.retain(live);
    }
  }

  /**
   * Every second, what this router answered goes to the load hub (the oldest node, which publishes it merged to
   * every node's load picture: a second later, or two), labelled with the second it ends; this router's admission
   * shares are read back from the picture against its own counts ({@link OwnLoad}), over seconds the digests have
   * brought: its part of each deployment's answers in 3 s ending 2 s back, and what the others held in flight then.
   */
  private void reportLoad(LoadRecorder load, Dispatcher dispatcher) {
    OwnLoad own = new OwnLoad();
    ProvedNodes nodes = ClusterTrust.of(vertx).nodes();
    loadTimer = vertx.setPeriodic(1000, t -> {
      long now = System.currentTimeMillis() / 1000;
      LoadReport r = load.flush(now, dispatcher::inFlight);
      own.add(r);
      if (!r.deployments().isEmpty()) {
        vertx.eventBus().send(Addresses.loadHub(nodes.oldest().orElse(nodeId)), r.toJson());
      }
      long settled = now - DIGEST_LAG_SECONDS;
      dispatcher.shares(picture.shares(own, settled - SHARE_WINDOW_SECONDS + 1, settled, SHARE_MIN_ANSWERS),
          picture.inFlightElsewhere(own, settled - 1, settled), (int) nodes.all().stream()
              .filter(n -> n.has(io.sluice.protocol.NodeRoles.ROUTER)).count());
    });
  }

  private static final long SHUTDOWN_GRACE_SECONDS = 30;

  /** The window of the admission shares, and the answers it needs before a share is trusted over the whole limit. */
  private static final int SHARE_WINDOW_SECONDS = 3;
  private static final int SHARE_MIN_ANSWERS = 30;
  /** The seconds the picture holds every router's part of (reports reach the hub within 1 s, its digest within 2). */
  private static final int DIGEST_LAG_SECONDS = 2;

  /**
   * The Open Inference Protocol's gRPC door on its own port, when configured: HTTP/2 (h2c, or TLS with ALPN like the
   * HTTP port's), messages up to limits.max_body_bytes.
   */
  private Future<?> listenGrpc() {
    if (grpcPort < 0) {
      return Future.succeededFuture();
    }
    HttpServerOptions options = new HttpServerOptions(serverOptions).setPort(grpcPort)
        .setUseAlpn(serverOptions.isSsl());
    return vertx.createHttpServer(options).requestHandler(new GrpcDoor(oip, scoring).server(vertx, maxBodyBytes))
        .listen();
  }

  /** Event-bus applications score through {@code sluice.invoke}, with the same routing, auth and errors. */
  private void openEventBusDoor() {
    vertx.eventBus().<JsonObject>consumer(Addresses.INVOKE, scoring::eventBus);
  }

  /**
   * The one HTTP server; scoring requests (Azure's and the Open Inference Protocol's) skip vertx-web's routing (its
   * regex matching showed in the profile).
   */
  private Future<HttpServer> listen(Router routes) {
    return vertx.createHttpServer(new HttpServerOptions(serverOptions)).requestHandler(req -> {
      String endpoint = scoring == null ? null : ScoringHandler.scoringEndpoint(req);
      OipDoor.Call oipCall = scoring == null || endpoint != null ? null : OipDoor.parse(req.method(), req.path());
      if (endpoint != null) {
        scoring.http(req, endpoint);
      } else if (oipCall != null) {
        oip.handle(req, oipCall);
      } else {
        routes.handle(req);
      }
    }).listen().onSuccess(s -> server = s);
  }

  /** The drain of node {@code name} as this router last read it (null: not drained, or no data plane here). */
  public io.sluice.protocol.DrainedNode drained(String name) {
    return follower == null || follower.snapshot() == null ? null : follower.snapshot().drainedNode(name);
  }

  @Override
  public Future<?> stop() {
    if (follower != null) {
      follower.stop();
    }
    vertx.cancelTimer(loadTimer);
    if (channels != null) {
      channels.stop();
    }
    // graceful: no new connection, what is in flight is answered (up to 30 s), idle connections close
    return server == null ? Future.succeededFuture() : server.shutdown(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS);
  }
}
