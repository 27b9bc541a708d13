package io.sluice.router;

import io.sluice.endpoints.Keys;
import io.sluice.endpoints.Tokens;
import io.sluice.protocol.Addresses;
import io.sluice.protocol.ControlPlane;
import io.sluice.protocol.Events;
import io.sluice.protocol.Headers;
import io.sluice.protocol.Ops;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.sluice.scorer.ScoreResult;
import io.sluice.scoring.LocalInstances;
import io.sluice.scoring.ScorerVerticle;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import java.util.concurrent.CompletionStage;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.ext.web.Router;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data plane. Serves {@code POST /endpoints/<name>/score} (and {@link Addresses#INVOKE} for event-bus
 * applications) from an in-memory routing table: key auth, the {@code azureml-model-deployment} pin, an exact
 * weighted split, a mirror copy that is never awaited, admission, and Azure's status codes. The request body
 * travels to the scorer instance as bytes, unparsed. The table follows {@link Addresses#EVENTS} and a periodic
 * resync; the request path never reads the store or a distributed map.
 */
public final class RouterVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(RouterVerticle.class);
  static final String NO_DEPLOYMENT = "No valid deployments to route to. Please check that the endpoint has at least "
      + "one deployment with positive weight values or use a deployment specific header to route.";

  private final String nodeId;
  /** False on a node without the router role: it serves only health, metrics and the control plane. */
  private final boolean dataPlane;
  private final RouterMetrics metrics;
  /** host, port and (when configured) TLS of the node's one HTTP server. */
  private final HttpServerOptions serverOptions;
  private final long maxBodyBytes;
  private final Consumer<Router> extraRoutes;
  private HttpServer server;
  private RoutingTable table = new RoutingTable();
  private JsonObject snapshot;
  private final Map<String, JsonObject> observed = new HashMap<>();
  /** Requests in flight from this router, per deployment ("endpoint/deployment") and per instance id. */
  private final Map<String, int[]> inFlight = new HashMap<>();
  private final Map<String, int[]> instanceFlight = new HashMap<>();
  private AsyncMap<String, JsonObject> instancesMap;
  private Tokens tokens;
  private String tokenSecret;
  private java.util.UUID membershipListener;
  private boolean refreshing;
  private boolean refreshAgain;
  /** Counts applied changes, so a resync fetched before a change cannot overwrite it. */
  private long applies;

  /** {@code extraRoutes} mounts the other handlers this node serves on the same port (control plane, health). */
  public RouterVerticle(String nodeId, HttpServerOptions serverOptions, long maxBodyBytes,
                        Consumer<Router> extraRoutes, boolean dataPlane,
                        io.micrometer.core.instrument.MeterRegistry registry) {
    this.serverOptions = serverOptions;
    this.metrics = new RouterMetrics(registry);
    this.dataPlane = dataPlane;
    this.nodeId = nodeId;

    this.maxBodyBytes = maxBodyBytes;
    this.extraRoutes = extraRoutes;
  }

  public int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    extraRoutes.accept(router);
    if (!dataPlane) {
      return vertx.createHttpServer(new HttpServerOptions(serverOptions)).requestHandler(router)
          .listen().onSuccess(s -> server = s);
    }
    // the scoring path skips vertx-web's routing (regex matching per request showed in the profile)
    vertx.eventBus().<JsonObject>consumer(Addresses.EVENTS, this::event);
    vertx.eventBus().<JsonObject>consumer(Addresses.INVOKE, this::scoreEventBus);
    vertx.eventBus().<JsonObject>consumer(Addresses.router(nodeId), m -> {
      event(m);
      m.reply(new JsonObject().put("applied", snapshot != null));
    });
    vertx.setPeriodic(2000, t -> refresh());
    HazelcastInstance hz = ((HazelcastClusterManager) ((VertxInternal) vertx).clusterManager()).getHazelcastInstance();
    membershipListener = hz.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent e) {
      }

      @Override
      public void memberRemoved(MembershipEvent e) {
        String gone = e.getMember().getAttribute("__vertx.nodeId");
        context.runOnContext(x -> {
          observed.values().removeIf(i -> gone != null && gone.equals(i.getString("node_id")));
          rebuild();
        });
      }
    });
    return vertx.sharedData().<String, JsonObject>getClusterWideMap(Addresses.INSTANCES_MAP)
        .onSuccess(m -> instancesMap = m)
        .compose(m -> refreshNow().recover(err -> Future.succeededFuture()))
        .compose(v -> vertx.createHttpServer(new HttpServerOptions(serverOptions)).requestHandler(req -> {
              String endpoint = scoringEndpoint(req);
              if (endpoint != null) {
                scoreHttp(req, endpoint);
              } else {
                router.handle(req);
              }
            }).listen())
        .onSuccess(s -> server = s);
  }

  @Override
  public Future<?> stop() {
    if (membershipListener != null) {
      ((HazelcastClusterManager) ((VertxInternal) vertx).clusterManager()).getHazelcastInstance().getCluster()
          .removeMembershipListener(membershipListener);
    }
    return server == null ? Future.succeededFuture() : server.close();
  }

  // ---- the routing table ------------------------------------------------------------------------------------

  private void event(Message<JsonObject> m) {
    JsonObject e = m.body();
    if (Events.INSTANCE.equals(e.getString(Events.TYPE))) {
      JsonObject inst = e.getJsonObject("instance");
      if ("Gone".equals(inst.getString("state"))) {
        observed.remove(inst.getString("id"));
      } else {
        observed.put(inst.getString("id"), inst);
      }
      rebuild();
    } else if (Events.DESIRED_CHANGED.equals(e.getString(Events.TYPE))) {
      if (e.containsKey("document")) {
        apply(e);
      } else {
        refresh();
      }
    }
  }

  /** Applies one endpoint's new desired state (sent by the endpoint-manager before it answers its caller). */
  private void apply(JsonObject change) {
    if (snapshot == null) {
      return;
    }
    applies++;
    String name = change.getString("endpoint");
    JsonArray endpoints = new JsonArray();
    snapshot.getJsonArray("endpoints").forEach(o -> {
      if (!name.equals(((JsonObject) o).getString("name"))) {
        endpoints.add(o);
      }
    });
    if (change.getJsonObject("document") != null) {
      endpoints.add(change.getJsonObject("document"));
    }
    JsonArray deployments = new JsonArray();
    snapshot.getJsonArray("deployments").forEach(o -> {
      if (!name.equals(((JsonObject) o).getString("endpoint_name"))) {
        deployments.add(o);
      }
    });
    change.getJsonArray("deployments", new JsonArray()).forEach(deployments::add);
    snapshot = new JsonObject().put("endpoints", endpoints).put("deployments", deployments);
    rebuild();
  }

  private void rebuild() {
    if (snapshot != null) {
      table = RoutingTable.build(snapshot, observed.values(), table);
    }
    metrics.instances(observed.values());
  }

  private void refresh() {
    if (refreshing) {
      refreshAgain = true;
      return;
    }
    refreshing = true;
    refreshNow().timeout(5, java.util.concurrent.TimeUnit.SECONDS).onComplete(ar -> {
      if (ar.failed()) {
        LOG.debug("routing table refresh failed: {}", ar.cause().toString());
      }
      refreshing = false;
      if (refreshAgain) {
        refreshAgain = false;
        refresh();
      }
    });
  }

  private Future<Void> refreshNow() {
    long at = applies;
    Future<JsonObject> snap = ControlPlane.request(vertx, new JsonObject().put(Ops.OP, Ops.SNAPSHOT), 10_000);
    return Future.all(snap, instancesMap.values()).map(all -> {
      if (applies != at) {
        refreshAgain = true; // a newer change arrived while this snapshot was in flight
        return null;
      }
      snapshot = all.resultAt(0);
      String secret = snapshot.getString("token_secret");
      if (secret != null && !secret.equals(tokenSecret)) {
        tokenSecret = secret;
        tokens = new Tokens(vertx, secret);
      }
      observed.clear();
      for (Object o : (java.util.List<?>) all.resultAt(1)) {
        JsonObject i = (JsonObject) o;
        observed.put(i.getString("id"), i);
      }
      rebuild();
      return null;
    });
  }

  // ---- requests ---------------------------------------------------------------------------------------------

  /** The endpoint of {@code POST /endpoints/<name>/score}, or null for any other request. */
  static String scoringEndpoint(HttpServerRequest req) {
    String path = req.path();
    if (req.method() != HttpMethod.POST || path == null || !path.startsWith("/endpoints/") || !path.endsWith("/score")
        || path.length() <= "/endpoints//score".length()) {
      return null;
    }
    String name = path.substring("/endpoints/".length(), path.length() - "/score".length());
    return name.indexOf('/') < 0 ? name : null;
  }

  private void scoreHttp(HttpServerRequest req, String endpoint) {
    String requestId = req.getHeader(Headers.REQUEST_ID);
    String clientId = req.getHeader(Headers.CLIENT_REQUEST_ID);
    if ((requestId != null && requestId.length() > 100) || (clientId != null && clientId.length() > 100)) {
      req.pause();
      send(req, Outcome.error(431, "x-request-id and x-ms-client-request-id must be at most 100 characters"), null,
          null);
      return;
    }
    String rid = requestId == null || requestId.isEmpty() ? newRequestId() : requestId;
    String length = req.getHeader("content-length");
    if (length != null && length.length() < 19 && Long.parseLong(length) > maxBodyBytes) {
      req.pause();
      send(req, tooLarge(), rid, clientId);
      return;
    }
    Buffer body = Buffer.buffer();
    req.handler(chunk -> {
      if (body.length() + chunk.length() > maxBodyBytes) {
        if (!req.response().ended()) {
          send(req, tooLarge(), rid, clientId);
        }
        return;
      }
      body.appendBuffer(chunk);
    });
    req.endHandler(v -> {
      if (req.response().ended()) {
        return;
      }
      Outcome out = route(endpoint, req.getHeader(Headers.MODEL_DEPLOYMENT), req.getHeader("Authorization"), rid, body,
          o -> send(req, o, rid, clientId));
      if (out != null) {
        metrics.answered(endpoint, out.headers().getOrDefault(Headers.MODEL_DEPLOYMENT, ""), out.status(), false,
            System.nanoTime());
        send(req, out, rid, clientId);
      }
    });
  }

  /** A random (version 4) UUID from a thread-local generator: UUID.randomUUID's SecureRandom is slow per request. */
  static String newRequestId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long hi = (r.nextLong() & 0xffffffffffff0fffL) | 0x0000000000004000L;
    long lo = (r.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
    return new UUID(hi, lo).toString();
  }

  private Outcome tooLarge() {
    return Outcome.error(413, "the request body is over limits.max_body_bytes=" + maxBodyBytes);
  }

  private static void send(HttpServerRequest req, Outcome o, String requestId, String clientId) {
    var resp = req.response();
    if (resp.ended()) {
      return;
    }
    resp.setStatusCode(o.status());
    o.headers().forEach(resp::putHeader);
    if (requestId != null) {
      resp.putHeader(Headers.REQUEST_ID, requestId);
    }
    if (clientId != null) {
      resp.putHeader(Headers.CLIENT_REQUEST_ID, clientId);
    }
    resp.end(o.body());
  }

  /** Event-bus door: {endpoint, deployment?, authorization ("Bearer …" or the bare key), body, request_id?}. */
  private void scoreEventBus(Message<JsonObject> m) {
    JsonObject q = m.body();
    String rid = q.getString("request_id", newRequestId());
    String auth = q.getString("authorization");
    if (auth != null && !auth.startsWith("Bearer ")) {
      auth = "Bearer " + auth;
    }
    Object b = q.getValue("body");
    Buffer body = b instanceof Buffer buf ? buf : Buffer.buffer(b == null ? "" : String.valueOf(b));
    Consumer<Outcome> reply = o -> {
      if (o.status() == 200) {
        m.reply(new JsonObject().put("status", 200).put("deployment", o.headers().get(Headers.MODEL_DEPLOYMENT))
            .put("request_id", rid).put("body", o.body().toString()));
      } else {
        m.fail(o.status(), o.body().toString());
      }
    };
    Outcome now = route(q.getString("endpoint"), q.getString("deployment"), auth, rid, body, reply);
    if (now != null) {
      reply.accept(now);
    }
  }

  /**
   * Routes one request. Returns an outcome at once when the request is refused; otherwise returns null and
   * calls {@code done} with the scorer's answer.
   */
  Outcome route(String endpoint, String pinned, String authorization, String requestId, Buffer body,
                Consumer<Outcome> done) {
    RoutingTable.EndpointRoute ep = table.endpoints.get(endpoint);
    if (ep == null) {
      return Outcome.error(404, "endpoint '" + endpoint + "' not found");
    }
    String token = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7).trim()
        : null;
    if ("aml_token".equals(ep.authMode)) {
      Tokens verifier = tokens;
      Future<Void> valid = verifier == null ? Future.failedFuture("no signing secret yet")
          : verifier.verify(token, endpoint);
      valid.onComplete(ar -> {
        Outcome now = ar.failed() ? Outcome.error(401, "the request needs 'Authorization: Bearer <token>' with a "
            + "valid, unexpired aml_token of endpoint '" + endpoint + "' (get-credentials gives one)")
            : dispatch(ep, pinned, requestId, body, done);
        if (now != null) {
          done.accept(now);
        }
      });
      return null;
    }
    if (!(Keys.matches(token, ep.primaryKey) | Keys.matches(token, ep.secondaryKey))) {
      return Outcome.error(401, "the request needs 'Authorization: Bearer <key>' with a key of endpoint '"
          + endpoint + "'");
    }
    return dispatch(ep, pinned, requestId, body, done);
  }

  /** Routing once the caller is authenticated: pin or split, mirror, admission, send. */
  private Outcome dispatch(RoutingTable.EndpointRoute ep, String pinned, String requestId, Buffer body,
                           Consumer<Outcome> done) {
    String endpoint = ep.name;
    String target;
    boolean mirror = false;
    if (pinned != null && !pinned.isEmpty()) {
      target = pinned;
      if (!ep.deployments.containsKey(target)) {
        return Outcome.error(404, "deployment '" + pinned + "' not found in endpoint '" + endpoint + "'");
      }
    } else {
      target = ep.splitter.next();
      if (target == null) {
        return Outcome.error(404, NO_DEPLOYMENT);
      }
      mirror = ep.mirror != null && ep.mirror.next();
    }
    RoutingTable.DeploymentRoute d = ep.deployments.get(target);
    if (d == null || !d.serving()) {
      return Outcome.error(503, "deployment '" + target + "' has no ready instance").with(Headers.MODEL_DEPLOYMENT,
          target);
    }
    int[] flight = inFlight.computeIfAbsent(endpoint + "/" + target, k -> {
      int[] h = new int[1];
      metrics.inFlightGauge(endpoint, target, h);
      return h;
    });
    if (flight[0] >= d.admissionLimit()) {
      return Outcome.error(429, "too many requests in flight for deployment '" + target + "' (limit "
          + d.admissionLimit() + " = 2 x max_concurrent_requests_per_instance x instance_count)")
          .with(Headers.MODEL_DEPLOYMENT, target);
    }
    if (mirror) {
      mirror(ep, requestId, body);
    }
    flight[0]++;
    long t0 = System.nanoTime();
    send(d, target, requestId, body, 1, ar -> {
      flight[0]--;
      Outcome out = answer(ar.succeeded() ? ar.result() : null, ar.cause(), target, d.timeoutMs)
          .with(Headers.MODEL_DEPLOYMENT, target);
      metrics.answered(endpoint, target, out.status(), false, t0);
      if (ar.succeeded() && ar.result().queueMs() != null) {
        metrics.queueWait(endpoint, target, Double.parseDouble(ar.result().queueMs()));
      }
      done.accept(out);
    });
    return null;
  }

  /**
   * Sends to one ready instance. NO_HANDLERS means the request provably never reached a scorer (its node is gone
   * from this router's view of the cluster), so it is retried on another instance.
   */
  private void send(RoutingTable.DeploymentRoute d, String target, String requestId, Buffer body, int retries,
                    Handler<AsyncResult<Reply>> done) {
    String instance = d.pickInstance(instanceFlight);
    if (instance == null) {
      done.handle(Future.failedFuture(new ReplyException(ReplyFailure.NO_HANDLERS, "deployment '" + target
          + "' has no ready instance")));
      return;
    }
    int[] perInstance = instanceFlight.computeIfAbsent(instance, k -> new int[1]);
    perInstance[0]++;
    boolean redirectable = retries > 0 && d.ready.size() > 1;
    Handler<AsyncResult<Reply>> finish = ar -> {
      if (--perInstance[0] == 0) {
        instanceFlight.remove(instance);
      }
      // NO_HANDLERS: its node is gone; 503: the instance is not serving. Either way it never ran.
      if (ar.failed() && retries > 0 && ar.cause() instanceof ReplyException re
          && (re.failureType() == ReplyFailure.NO_HANDLERS
          || re.failureType() == ReplyFailure.RECIPIENT_FAILURE && re.failureCode() == 503)) {
        d.ready.remove(instance);
        d.fallback.remove(instance);
        send(d, target, requestId, body, retries - 1, done);
      } else {
        done.handle(ar);
      }
    };
    LocalInstances.Instance local = LocalInstances.get(instance);
    if (local != null) {
      callLocal(local, requestId, body, redirectable, finish);
      return;
    }
    DeliveryOptions opts = new DeliveryOptions().setSendTimeout(d.routerTimeoutMs())
        .addHeader(Headers.REQUEST_ID, requestId);
    if (redirectable) {
      opts.addHeader(Headers.REDIRECTABLE, "true");
    }
    vertx.eventBus().<Buffer>request(Addresses.scorer(instance), body, opts)
        .map(Reply::of).onComplete(finish);
  }

  /** An instance in this JVM: called directly; its answer is handled back on this router's context. */
  private void callLocal(LocalInstances.Instance local, String requestId, Buffer body, boolean redirectable,
                         Handler<AsyncResult<Reply>> finish) {
    CompletionStage<ScoreResult> answer;
    try {
      answer = local.score(requestId, body.getBytes(), Map.of(Headers.REQUEST_ID, requestId), redirectable);
    } catch (LocalInstances.Refused e) {
      finish.handle(Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 503, e.getMessage())));
      return;
    }
    Context here = context;
    Thread loop = Thread.currentThread();
    answer.whenComplete((r, err) -> {
      AsyncResult<Reply> ar = err != null ? Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 500,
          "the scorer failed: " + err.getMessage())) : Future.succeededFuture(Reply.of(r));
      if (Thread.currentThread() == loop) {
        finish.handle(ar); // a non-blocking scorer answered on this very thread
      } else {
        here.runOnContext(v -> finish.handle(ar));
      }
    });
  }

  /** A scorer's answer, whichever way it came (event-bus reply or direct call). */
  record Reply(int status, boolean runtime, String runMs, String queueMs, Buffer body) {
    static Reply of(Message<Buffer> m) {
      return new Reply(Integer.parseInt(m.headers().get(Headers.SCRIPT_STATUS)),
          "runtime".equals(m.headers().get(Headers.STATUS_ORIGIN)), m.headers().get(Headers.RUN_FN_EXEC_MS),
          m.headers().get(Headers.QUEUE_MS), m.body());
    }

    static Reply of(ScoreResult r) {
      return new Reply(r.status(), r.fromRuntime(), ScorerVerticle.millis(r.runMillis()),
          ScorerVerticle.millis(r.queueMillis()), Buffer.buffer(r.body()));
    }
  }


  /**
   * A copy that nobody awaits: its answer (or failure) never reaches the client. Copies beyond the shadow
   * deployment's admission limit are dropped, so a slow shadow cannot make the router hold unbounded memory.
   */
  private void mirror(RoutingTable.EndpointRoute ep, String requestId, Buffer body) {
    RoutingTable.DeploymentRoute shadow = ep.deployments.get(ep.mirrorTo);
    String instance = shadow == null ? null : shadow.pickInstance(instanceFlight);
    int[] flight = inFlight.computeIfAbsent(ep.name + "/" + ep.mirrorTo + "#mirror", k -> new int[1]);
    if (instance == null || flight[0] >= shadow.admissionLimit()) {
      return;
    }
    flight[0]++;
    Handler<AsyncResult<Reply>> counted = ar -> {
      flight[0]--;
      metrics.answered(ep.name, ep.mirrorTo, ar.succeeded() ? ar.result().status() : 0, true, 0);
    };
    LocalInstances.Instance local = LocalInstances.get(instance);
    if (local != null) {
      callLocal(local, requestId, body, false, counted);
      return;
    }
    vertx.eventBus().<Buffer>request(Addresses.scorer(instance), body, new DeliveryOptions()
            .setSendTimeout(shadow.routerTimeoutMs()).addHeader(Headers.REQUEST_ID, requestId)
            .addHeader(Headers.MIRROR, "true"))
        .map(Reply::of).onComplete(counted);
  }

  private static Outcome answer(Reply reply, Throwable err, String deployment, int timeoutMs) {
    if (reply != null) {
      int status = reply.status();
      Map<String, String> h = new LinkedHashMap<>();
      h.put("content-type", "application/json");
      h.put(Headers.RUN_FN_EXEC_MS, reply.runMs());
      if (status == 200 || reply.runtime()) {
        return new Outcome(status, h, reply.body()); // the runtime's own 408/429/500 pass as they are
      }
      h.put(Headers.MODEL_ERROR_STATUS, String.valueOf(status));
      h.put(Headers.MODEL_ERROR_REASON, "model_error");
      return new Outcome(424, h, reply.body());
    }
    if (err instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT) {
      return Outcome.error(408, "upstream request timeout: deployment '" + deployment + "' did not answer within "
          + "request_timeout_ms=" + timeoutMs + " (plus its queue wait)");
    }
    LOG.warn("scoring request to {} failed: {}", deployment, err == null ? "?" : err.toString());
    return Outcome.error(500, "the request could not be scored: " + (err == null ? "unknown error" : err.getMessage()));
  }
}
