package io.sluice.router;

import io.sluice.load.LoadRecorder;
import io.sluice.load.PerDeployment;
import io.sluice.protocol.HttpParts;
import io.sluice.protocol.Answer;
import io.sluice.protocol.DeploymentKey;
import io.sluice.protocol.Streams;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

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
  /** Failed requests, logged one line per deployment per reason per 10 s. */
  private final FailureLog failures = new FailureLog(System::nanoTime,
      LoggerFactory.getLogger(Dispatcher.class)::warn);

  /** {@code transports} are asked in order whether they reach an instance; the last must reach every instance. */
  Dispatcher(RouterMetrics metrics, LoadRecorder load, ScorerTransport... transports) {
    this.metrics = metrics;
    this.load = load;
    this.transports = transports;
  }

  /**
   * Where a request goes, decided before its body is read: refused (404, 503, 429: the answer, and the deployment it
   * names if any), or admitted: the target (pin or split), whether a copy is mirrored, and its admission slot, held
   * from now on ({@link #release} gives it back when the body never comes).
   */
  sealed interface Decision {
  }

  record Refused(Answer.Refused answer, String deployment) implements Decision {
    Outcome outcome() {
      return Answers.outcome(answer, deployment, 0);
    }
  }

  record Admitted(RoutingTable.EndpointRoute ep, String target, boolean mirror, RoutingTable.DeploymentRoute route,
                  int[] flight) implements Decision {
  }

  Decision decide(RoutingTable.EndpointRoute ep, String pinned) {
    String endpoint = ep.name;
    String target;
    boolean mirror = false;
    if (pinned != null && !pinned.isEmpty()) {
      target = pinned;
      if (!ep.deployments.containsKey(target)) {
        return new Refused(new Answer.Refused(404, "deployment '" + pinned + "' not found in endpoint '" + endpoint
            + "'"), null);
      }
    } else {
      target = ep.splitter.next();
      if (target == null) {
        return new Refused(new Answer.Refused(404, NO_DEPLOYMENT), null);
      }
      mirror = ep.mirror != null && ep.mirror.next();
    }
    RoutingTable.DeploymentRoute d = ep.deployments.get(target);
    if (d == null || !d.serving()) {
      return noReadyInstance(endpoint, target);
    }
    int[] flight = inFlight.computeIfAbsent(endpoint, target, (e, t) -> {
      int[] h = new int[1];
      metrics.inFlightGauge(e, t, h);
      return h;
    });
    Double share = shares.get(endpoint, target);
    if (!AdmissionShare.admits(flight[0], d.admissionLimit(), share, routers, elsewhere.get(endpoint, target))) {
      int limit = AdmissionShare.limit(d.admissionLimit(), share, routers);
      load.record(endpoint, target, false, 429, 0);
      return new Refused(new Answer.Refused(429, "too many requests in flight for deployment '" + target
          + "' (this router's limit " + limit + ": its share of 2 x max_concurrent_requests_per_instance x "
          + (d.settings.maxBatchSize() > 1 ? "max_batch_size x " : "") + "instance_count = " + d.admissionLimit()
          + ")"), target);
    }
    flight[0]++;
    return new Admitted(ep, target, mirror, d, flight);
  }

  private Refused noReadyInstance(String endpoint, String target) {
    load.record(endpoint, target, false, 503, 0);
    return new Refused(new Answer.Refused(503, "deployment '" + target + "' has no ready instance"), target);
  }

  /**
   * The decision against the table of now, once the body has arrived: the table may have moved on meanwhile (an
   * instance drained after its router acknowledged must get nothing new), so the instances come from {@code now}.
   */
  Decision againstNow(Admitted d, RoutingTable now) {
    RoutingTable.EndpointRoute ep = now.endpoints.get(d.ep().name);
    RoutingTable.DeploymentRoute route = ep == null ? null : ep.deployments.get(d.target());
    if (ep == d.ep() && route == d.route()) {
      return d; // the table did not change meanwhile (the common case): nothing to re-pick
    }
    if (route == null || !route.serving()) {
      release(d);
      return noReadyInstance(d.ep().name, d.target());
    }
    return new Admitted(ep, d.target(), d.mirror() && ep.mirrorTo != null, route, d.flight());
  }

  /** The body never came (too large, connection gone): the slot {@link #decide} took is free again. */
  void release(Admitted d) {
    d.flight()[0]--;
  }

  /** Sends an admitted request; {@code done} gets the client's answer, exactly once. */
  void send(Admitted decision, String requestId, HttpParts http, Buffer body, Consumer<Outcome> done) {
    RoutingTable.EndpointRoute ep = decision.ep();
    String endpoint = ep.name;
    String target = decision.target();
    RoutingTable.DeploymentRoute d = decision.route();
    int[] flight = decision.flight();
    MirrorPair pair = decision.mirror() && !http.swagger() ? mirror(ep, requestId, http, body) : null;
    long t0 = System.nanoTime();
    send(d, requestId, http, body, 1, null, answer -> {
      failures.failed(endpoint, target, answer);
      Outcome out = Answers.outcome(answer, target, d.settings.timeoutMs());
      if (out.rest() != null) {
        done.accept(streamed(out, endpoint, target, flight, pair, t0));
        return;
      }
      flight[0]--;
      metrics.answered(endpoint, target, out.status(), false, t0);
      load.record(endpoint, target, false, out.status(), System.nanoTime() - t0);
      if (answer instanceof Answer.Answered a) {
        metrics.queueWait(endpoint, target, a.queueMs());
      }
      done.accept(out); // the client first: a comparison never delays the live answer
      if (pair != null) {
        pair.live(out);
      }
    });
  }

  /**
   * A streamed answer on its way to the client: it holds its admission slot until it ends, and counts once then,
   * with its time to the first chunk as its latency (what a client waits for), as a server fault (500) when it broke
   * after it began; a mirrored request's live answer is compared on its whole, kept as it passes.
   */
  private Outcome streamed(Outcome out, String endpoint, String target, int[] flight, MirrorPair pair, long t0) {
    long firstByte = System.nanoTime() - t0;
    metrics.firstByte(endpoint, target, firstByte);
    return out.withRest(Streams.watch(out.body(), out.rest(), pair == null ? 0 : MirrorPair.MAX_COMPARED_BYTES + 1,
        (failure, cancelled, kept) -> {
          flight[0]--;
          int status = failure != null ? 500 : out.status();
          metrics.answered(endpoint, target, status, false, t0);
          load.record(endpoint, target, false, status, firstByte);
          if (pair == null) {
            return;
          }
          if (failure != null) {
            pair.live(Outcome.error(500, failure));
          } else if (kept == null) {
            pair.mirrorMissing(); // cancelled by its client, or too long to compare
          } else {
            pair.live(new Outcome(out.status(), out.headers(), kept));
          }
        }), out.body());
  }

  /** Sends to one instance; a call that provably never ran is tried once more on another instance. */
  private void send(RoutingTable.DeploymentRoute d, String requestId, HttpParts http, Buffer body,
                    int retries, String avoid, Handler<Answer> done) {
    String instance = d.pickInstance(instanceFlight, avoid);
    if (instance == null) {
      done.handle(new Answer.NeverRan("deployment '" + d.name + "' has no ready instance"));
      return;
    }
    int[] perInstance = instanceFlight.computeIfAbsent(instance, k -> new int[1]);
    perInstance[0]++;
    boolean redirectable = retries > 0 && d.choices() > 1;
    ScorerTransport.Call call = new ScorerTransport.Call(instance, d.nodeOf(instance), requestId, http, body,
        d.settings.routerTimeoutMs(), redirectable, false);
    callOnce(call, answer -> {
      if (--perInstance[0] == 0) {
        instanceFlight.remove(instance);
      }
      if (answer instanceof Answer.NeverRan && retries > 0) {
        send(d, requestId, http, body, retries - 1, instance, done);
      } else {
        done.handle(answer);
      }
    });
  }

  /**
   * Hands {@code call} to its transport; {@code done} runs exactly once, also when the transport throws (the slots
   * the caller counted are then given back and the client answered, 500: it cannot be known whether it ran).
   */
  private void callOnce(ScorerTransport.Call call, Handler<Answer> done) {
    boolean[] called = new boolean[1];
    Handler<Answer> once = a -> {
      if (!called[0]) {
        called[0] = true;
        done.handle(a);
      }
    };
    try {
      transportFor(call).call(call, once);
    } catch (RuntimeException e) {
      once.handle(new Answer.Failed(false, "the transport failed: " + e));
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
    callOnce(call, answer -> {
      if (answer instanceof Answer.Answered a && a.rest() != null) { // compared on its whole: gathered here
        Streams.gather(a.body(), a.rest(), MirrorPair.MAX_COMPARED_BYTES + 1).whenComplete((whole, err) ->
            mirrored(ep, shadow, pair, flight, t0, err != null ? new Answer.Failed(false, Streams.message(err))
                : whole == null ? null : a.withRest(null, whole)));
      } else {
        mirrored(ep, shadow, pair, flight, t0, answer);
      }
    });
    return pair;
  }

  /** A mirror's answer (null: a stream too long to compare), counted and compared. */
  private void mirrored(RoutingTable.EndpointRoute ep, RoutingTable.DeploymentRoute shadow, MirrorPair pair,
                        int[] flight, long t0, Answer answer) {
    flight[0]--;
    Outcome copy = answer == null ? null : Answers.outcome(answer, ep.mirrorTo, shadow.settings.timeoutMs());
    int status = copy == null ? 200 : copy.status(); // a stream too long to compare was a 200 all the same
    metrics.answered(ep.name, ep.mirrorTo, status, true, 0);
    load.record(ep.name, ep.mirrorTo, true, status, System.nanoTime() - t0);
    if (copy == null || Answers.missing(answer)) {
      pair.mirrorMissing(); // no answer to compare: not a disagreement
    } else {
      pair.mirror(copy);
    }
  }

  /**
   * This router's share of each deployment's recent traffic (0..1), and what the other routers hold in flight, from
   * the load picture; how many routers the cluster has.
   */
  void shares(Map<DeploymentKey, Double> now, Map<DeploymentKey, Integer> inFlightElsewhere, int routerCount) {
    routers = routerCount;
    PerDeployment<Double> byName = new PerDeployment<>();
    now.forEach((k, v) -> byName.put(k.endpoint(), k.deployment(), v));
    shares = byName;
    PerDeployment<Integer> others = new PerDeployment<>();
    inFlightElsewhere.forEach((k, v) -> others.put(k.endpoint(), k.deployment(), v));
    elsewhere = others;
  }

  private PerDeployment<Double> shares = new PerDeployment<>();
  private PerDeployment<Integer> elsewhere = new PerDeployment<>();
  private int routers = 1;

  /** Forgets the counts of deployments not in {@code live}; calls in flight keep theirs. */
  void retain(Set<DeploymentKey> live) {
    inFlight.removeIf((e, d) -> !live.contains(new DeploymentKey(e, d)));
    mirrorFlight.removeIf((e, d) -> !live.contains(new DeploymentKey(e, d)));
    failures.retain(live);
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
