package io.sluice.router;

import io.sluice.load.LoadRecorder;
import io.sluice.load.PerDeployment;
import io.sluice.protocol.Headers;
import io.sluice.protocol.HttpParts;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Routing once the caller is authenticated: the pin or the split, the mirror copy, admission, the choice of an
 * instance, and the call through a {@link ScorerTransport}. Runs on the router's event loop only, so its counts
 * are plain fields. No Vert.x in here beyond futures and buffers: tests drive it with a fake transport.
 */
final class Dispatcher {
  static final String NO_DEPLOYMENT = "No valid deployments to route to. Please check that the endpoint has at least "
      + "one deployment with positive weight values or use a deployment specific header to route.";

  private final RouterMetrics metrics;
  private final LoadRecorder load;
  /** In order of preference: the first that reaches an instance takes the call; the last reaches every instance. */
  private final ScorerTransport[] transports;
  /** Requests in flight from this router, per deployment ("endpoint/deployment") and per instance id. */
  private final PerDeployment<int[]> inFlight = new PerDeployment<>();
  private final PerDeployment<int[]> mirrorFlight = new PerDeployment<>();
  private final Map<String, int[]> instanceFlight = new HashMap<>();

  /** {@code transports} are asked in order whether they reach an instance; the last must reach every instance. */
  Dispatcher(RouterMetrics metrics, LoadRecorder load, ScorerTransport... transports) {
    this.metrics = metrics;
    this.load = load;
    this.transports = transports;
  }

  /**
   * Returns an outcome at once when the request is refused (404, 503, 429); otherwise returns null and calls
   * {@code done} with the answer.
   */
  Outcome dispatch(RoutingTable.EndpointRoute ep, String pinned, String requestId, Buffer body,
                   Consumer<Outcome> done) {
    Decision d = decide(ep, pinned);
    if (d.refusal() != null) {
      return d.refusal();
    }
    send(d, requestId, HttpParts.POST, body, done);
    return null;
  }

  /**
   * Where a request goes, decided before its body is read: the target (pin or split), whether a copy is mirrored,
   * and its admission slot, held from now on ({@link #release} gives it back when the body never comes).
   * {@code refusal} is set instead when it is refused (404, 503, 429).
   */
  record Decision(Outcome refusal, RoutingTable.EndpointRoute ep, String target, boolean mirror,
                  RoutingTable.DeploymentRoute route, int[] flight) {
    static Decision refused(Outcome o) {
      return new Decision(o, null, null, false, null, null);
    }
  }

  Decision decide(RoutingTable.EndpointRoute ep, String pinned) {
    String endpoint = ep.name;
    String target;
    boolean mirror = false;
    if (pinned != null && !pinned.isEmpty()) {
      target = pinned;
      if (!ep.deployments.containsKey(target)) {
        return Decision.refused(Outcome.error(404, "deployment '" + pinned + "' not found in endpoint '" + endpoint
            + "'"));
      }
    } else {
      target = ep.splitter.next();
      if (target == null) {
        return Decision.refused(Outcome.error(404, NO_DEPLOYMENT));
      }
      mirror = ep.mirror != null && ep.mirror.next();
    }
    RoutingTable.DeploymentRoute d = ep.deployments.get(target);
    if (d == null || !d.serving()) {
      load.record(endpoint, target, false, 503, 0);
      return Decision.refused(Outcome.error(503, "deployment '" + target + "' has no ready instance")
          .with(Headers.MODEL_DEPLOYMENT, target));
    }
    int[] flight = inFlight.computeIfAbsent(endpoint, target, (e, t) -> {
      int[] h = new int[1];
      metrics.inFlightGauge(e, t, h);
      return h;
    });
    int limit = AdmissionShare.limit(d.admissionLimit(), shares.get(endpoint, target));
    if (flight[0] >= limit) {
      load.record(endpoint, target, false, 429, 0);
      return Decision.refused(Outcome.error(429, "too many requests in flight for deployment '" + target
          + "' (this router's limit " + limit + ": its share of 2 x max_concurrent_requests_per_instance x "
          + "instance_count = " + d.admissionLimit() + ")").with(Headers.MODEL_DEPLOYMENT, target));
    }
    flight[0]++;
    return new Decision(null, ep, target, mirror, d, flight);
  }

  /**
   * The decision against the table of now, once the body has arrived: the table may have moved on meanwhile (an
   * instance drained after its router acknowledged must get nothing new), so the instances come from {@code now}.
   */
  Decision againstNow(Decision d, RoutingTable now) {
    RoutingTable.EndpointRoute ep = now.endpoints.get(d.ep().name);
    RoutingTable.DeploymentRoute route = ep == null ? null : ep.deployments.get(d.target());
    if (ep == d.ep() && route == d.route()) {
      return d; // the table did not change meanwhile (the common case): nothing to re-pick
    }
    if (route == null || !route.serving()) {
      release(d);
      load.record(d.ep().name, d.target(), false, 503, 0);
      return Decision.refused(Outcome.error(503, "deployment '" + d.target() + "' has no ready instance")
          .with(Headers.MODEL_DEPLOYMENT, d.target()));
    }
    return new Decision(null, ep, d.target(), d.mirror() && ep.mirrorTo != null, route, d.flight());
  }

  /** The body never came (too large, connection gone): the slot {@link #decide} took is free again. */
  void release(Decision d) {
    if (d.flight() != null) {
      d.flight()[0]--;
    }
  }

  /** Sends an admitted request; {@code done} gets the answer. */
  void send(Decision decision, String requestId, HttpParts http, Buffer body, Consumer<Outcome> done) {
    RoutingTable.EndpointRoute ep = decision.ep();
    String endpoint = ep.name;
    String target = decision.target();
    RoutingTable.DeploymentRoute d = decision.route();
    int[] flight = decision.flight();
    MirrorPair pair = decision.mirror() && !http.swagger() ? mirror(ep, requestId, http, body) : null;
    long t0 = System.nanoTime();
    send(d, requestId, http, body, 1, null, ar -> {
      flight[0]--;
      Outcome out = Answers.of(ar.succeeded() ? ar.result() : null, ar.cause(), target, d.settings.timeoutMs())
          .with(Headers.MODEL_DEPLOYMENT, target);
      metrics.answered(endpoint, target, out.status(), false, t0);
      load.record(endpoint, target, false, out.status(), System.nanoTime() - t0);
      if (ar.succeeded() && ar.result().queueMs() != null) {
        metrics.queueWait(endpoint, target, Double.parseDouble(ar.result().queueMs()));
      }
      done.accept(out); // the client first: a comparison never delays the live answer
      if (pair != null) {
        pair.live(out);
      }
    });
  }

  /** Sends to one instance; a call that provably never ran is tried once more on another instance. */
  private void send(RoutingTable.DeploymentRoute d, String requestId, HttpParts http, Buffer body,
                    int retries, String avoid, Handler<AsyncResult<Reply>> done) {
    String instance = d.pickInstance(instanceFlight, avoid);
    if (instance == null) {
      done.handle(Future.failedFuture(new ReplyException(ReplyFailure.NO_HANDLERS, "deployment '" + d.name
          + "' has no ready instance")));
      return;
    }
    int[] perInstance = instanceFlight.computeIfAbsent(instance, k -> new int[1]);
    perInstance[0]++;
    boolean redirectable = retries > 0 && d.choices() > 1;
    ScorerTransport.Call call = new ScorerTransport.Call(instance, d.nodeOf(instance), requestId, http, body,
        d.settings.routerTimeoutMs(), redirectable, false);
    callOnce(call, ar -> {
          if (--perInstance[0] == 0) {
            instanceFlight.remove(instance);
          }
          if (ar.failed() && retries > 0 && Answers.neverRan(ar.cause())) {
            send(d, requestId, http, body, retries - 1, instance, done);
          } else {
            done.handle(ar);
          }
        });
  }

  /**
   * Hands {@code call} to its transport; {@code done} runs exactly once, also when the transport throws (the slots
   * the caller counted are then given back and the client answered, 500: it cannot be known whether it ran).
   */
  private void callOnce(ScorerTransport.Call call, Handler<AsyncResult<Reply>> done) {
    boolean[] called = new boolean[1];
    Handler<AsyncResult<Reply>> once = ar -> {
      if (!called[0]) {
        called[0] = true;
        done.handle(ar);
      }
    };
    try {
      transportFor(call).call(call, once);
    } catch (RuntimeException e) {
      once.handle(Future.failedFuture(e));
    }
  }

  /**
   * A copy that nobody awaits: its answer (or failure) never reaches the client; it is compared with the live answer
   * ({@link MirrorPair}). Copies beyond the shadow deployment's admission limit are dropped (null), so a slow shadow
   * cannot make the router hold unbounded memory.
   */
  private MirrorPair mirror(RoutingTable.EndpointRoute ep, String requestId, HttpParts http, Buffer body) {
    RoutingTable.DeploymentRoute shadow = ep.deployments.get(ep.mirrorTo);
    String instance = shadow == null ? null : shadow.pickInstance(instanceFlight, null);
    int[] flight = mirrorFlight.computeIfAbsent(ep.name, ep.mirrorTo, (e, t) -> new int[1]);
    if (instance == null || flight[0] >= shadow.admissionLimit()) {
      return null;
    }
    flight[0]++;
    long t0 = System.nanoTime();
    MirrorPair pair = new MirrorPair(ep.name, ep.mirrorTo, requestId, ep.tolerance, load, metrics);
    ScorerTransport.Call call = new ScorerTransport.Call(instance, shadow.nodeOf(instance), requestId, http, body,
        shadow.settings.routerTimeoutMs(), false, true);
    callOnce(call, ar -> {
          flight[0]--;
          Outcome copy = Answers.quiet(ar.succeeded() ? ar.result() : null, ar.cause(), ep.mirrorTo,
              shadow.settings.timeoutMs());
          metrics.answered(ep.name, ep.mirrorTo, copy.status(), true, 0);
          load.record(ep.name, ep.mirrorTo, true, copy.status(), System.nanoTime() - t0);
          if (ar.failed() && (Answers.neverRan(ar.cause())
              || ar.cause() instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT)) {
            pair.mirrorMissing(); // no answer to compare: not a disagreement
          } else {
            pair.mirror(copy);
          }
        });
    return pair;
  }

  /** This router's share of each deployment's recent traffic ("endpoint/deployment" → 0..1), from the load picture. */
  void shares(Map<String, Double> now) {
    PerDeployment<Double> byName = new PerDeployment<>();
    now.forEach((k, v) -> {
      int slash = k.indexOf('/');
      byName.put(k.substring(0, slash), k.substring(slash + 1), v);
    });
    shares = byName;
  }

  private PerDeployment<Double> shares = new PerDeployment<>();

  /** Forgets the counts of deployments not in {@code live} ("endpoint/deployment"); calls in flight keep theirs. */
  void retain(java.util.Set<String> live) {
    inFlight.removeIf((e, d) -> !live.contains(e + "/" + d));
    mirrorFlight.removeIf((e, d) -> !live.contains(e + "/" + d));
  }

  /** Requests to {@code deployment} in flight from this router now. */
  int inFlight(String endpoint, String deployment) {
    int[] f = inFlight.get(endpoint, deployment);
    return f == null ? 0 : f[0];
  }

  private ScorerTransport transportFor(ScorerTransport.Call call) {
    for (int i = 0; i < transports.length - 1; i++) {
      if (transports[i].reaches(call)) {
        return transports[i];
      }
    }
    return transports[transports.length - 1];
  }
}
