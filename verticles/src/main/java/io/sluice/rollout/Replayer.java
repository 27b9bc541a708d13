package io.sluice.rollout;

import io.sluice.auth.ClusterTrust;
import io.sluice.collect.CollectedRecords;
import io.sluice.mirror.AnswerComparison;
import io.sluice.mirror.ComparisonSettings;
import io.sluice.protocol.ClusterCalls;
import io.sluice.protocol.ControlPlane;
import io.sluice.protocol.NodeFacts;
import io.sluice.protocol.NodeRoles;
import io.sluice.protocol.Ops;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A rollout's replay step, on the supervisor leader: the newest recorded requests of the live deployments (with the
 * responses recorded for them) are sent to the target through a router, pinned to it ({@code azureml-model-deployment},
 * so no live deployment sees them and none is mirrored) and marked {@code x-ms-sluice-replay: true} for its script,
 * at the plan's {@code replay_rate} with at most {@link #IN_FLIGHT} at a time; each answer is compared with the
 * recorded one by the endpoint's mirror_comparison rules; the verdict ({@link ReplayJudge}) goes to the endpoint
 * manager like any window's. A replay whose rollout was paused or aborted meanwhile stops sending.
 */
public final class Replayer {
  private static final Logger LOG = LoggerFactory.getLogger(Replayer.class);
  public static final String HEADER = "x-ms-sluice-replay";
  static final int IN_FLIGHT = 16;
  /** Answers that say nothing of the target's model: 408 (no answer in time), 503 (no instance took it). */
  private static final Set<Integer> MISSING = Set.of(408, 503);
  /** How often one pair is sent while the target answers 429. */
  private static final int MAX_TRIES = 20;
  private static final String TRIES = "_tries";
  private final Vertx vertx;
  private final HttpClient client;
  /** Replays under way, by endpoint and rollout revision: their stop flags. */
  private final Map<String, AtomicBoolean> running = new ConcurrentHashMap<>();

  /** {@code options}: how this node reaches a router (its TLS trust when the routers speak HTTPS). */
  public Replayer(Vertx vertx, HttpClientOptions options) {
    this.vertx = vertx;
    this.client = vertx.createHttpClient(new HttpClientOptions(options).setKeepAlive(true).setConnectTimeout(5000),
        new PoolOptions().setHttp1MaxSize(IN_FLIGHT));
  }

  /** Each round, with the running rollouts: starts the replays due, stops those whose rollout moved on. */
  public void follow(List<RolloutState> rollouts) {
    Set<String> due = new HashSet<>();
    for (RolloutState s : rollouts) {
      if (RolloutMachine.replaying(s)) {
        String key = s.endpoint() + "#" + s.revision();
        due.add(key);
        AtomicBoolean stop = new AtomicBoolean();
        if (running.putIfAbsent(key, stop) == null) {
          replay(s, stop).onComplete(ar -> {
            running.remove(key);
            if (ar.failed()) {
              LOG.warn("the replay verdict of the rollout of {} on {} was not delivered; replayed again next round",
                  s.plan().target(), s.endpoint(), ar.cause());
            }
          });
        }
      }
    }
    running.forEach((key, stop) -> {
      if (!due.contains(key)) {
        stop.set(true);
      }
    });
  }

  private Future<Void> replay(RolloutState s, AtomicBoolean stop) {
    return ControlPlane.internal(vertx, new JsonObject().put(Ops.OP, Ops.ROLLOUT_RECORDED)
            .put("endpoint", s.endpoint()), 60_000)
        .compose(in -> routerUrl().compose(url -> send(s, in, url, stop)))
        .map(tally -> ReplayJudge.judge(tally, s.plan().criteria()))
        // a replay that cannot run (no router, a certificate not trusted …) is an inconclusive window, said in the
        // rollout, so the plan's max_inconclusive ends it rather than the rollout waiting at the replay for ever
        .recover(err -> Future.succeededFuture(ReplayJudge.couldNotRun(err)))
        .compose(v -> {
          if (stop.get()) {
            return Future.succeededFuture();
          }
          LOG.info("rollout of {} on {} at {}: {} {}", s.plan().target(), s.endpoint(), s.stepLabel(), v.outcome(),
              v.reasons());
          return ControlPlane.internal(vertx, new JsonObject().put(Ops.OP, Ops.ROLLOUT_ADVANCE)
              .put("endpoint", s.endpoint()).put("revision", s.revision()).put("verdict", v.toJson()), 10_000)
              .mapEmpty();
        });
  }

  /** A router's URL: this node's when it routes, else another proved router's that is not leaving. */
  private Future<String> routerUrl() {
    String self = ((io.vertx.core.internal.VertxInternal) vertx).clusterManager().getNodeId();
    return ClusterCalls.bounded(ClusterTrust.of(vertx).nodes().refresh(), "the node list").compose(nodes -> {
      NodeFacts pick = null;
      for (NodeFacts n : nodes) {
        if (n.roles().contains(NodeRoles.ROUTER) && !n.leaving() && (pick == null || n.nodeId().equals(self))) {
          pick = n;
        }
      }
      return pick == null ? Future.failedFuture("no router to replay through") : Future.succeededFuture(pick.url());
    });
  }

  /**
   * Sends every pair at the plan's rate and compares the answers. A 429 (the target's admission limit, which a
   * deployment of one slow worker reaches at 2 in flight) sends the pair again later and halves how many go at a time;
   * each answer lets one more go, up to {@link #IN_FLIGHT}.
   */
  private Future<ReplayJudge.Tally> send(RolloutState s, JsonObject in, String url, AtomicBoolean stop) {
    JsonArray pairs = in.getJsonArray("pairs", new JsonArray());
    AnswerComparison.Tolerance tolerance = ComparisonSettings.tolerance(in.getJsonObject("mirror_comparison"));
    Counts c = new Counts();
    Promise<ReplayJudge.Tally> done = Promise.promise();
    java.util.ArrayDeque<JsonObject> again = new java.util.ArrayDeque<>();
    int[] next = {0};
    int[] inFlight = {0};
    int[] cap = {IN_FLIGHT};
    long period = Math.max(1, 1000 / s.plan().replayRate());
    vertx.setPeriodic(0, period, t -> {
      boolean left = next[0] < pairs.size() || !again.isEmpty();
      if (stop.get() || !left) {
        if (inFlight[0] == 0 || stop.get()) {
          vertx.cancelTimer(t);
          done.tryComplete(new ReplayJudge.Tally(s.plan().replayFirst(), pairs.size(), c.compared, c.agreed,
              c.notCompared, c.mismatches));
        }
        return;
      }
      if (inFlight[0] >= cap[0]) {
        return; // the target is slower than the rate: wait for it
      }
      JsonObject pair = again.isEmpty() ? pairs.getJsonObject(next[0]++) : again.poll();
      inFlight[0]++;
      one(s, url, in.getString("key"), pair, tolerance, c).onComplete(ar -> {
        inFlight[0]--;
        if (Boolean.TRUE.equals(ar.result())) {
          cap[0] = Math.min(IN_FLIGHT, cap[0] + 1);
        } else {
          cap[0] = Math.max(1, cap[0] / 2);
          int tries = pair.getInteger(TRIES, 0) + 1;
          if (tries < MAX_TRIES) {
            again.add(pair.put(TRIES, tries));
          } else {
            c.notCompared++;
          }
        }
      });
    });
    return done.future();
  }

  /** What the replay saw so far (touched on the timer's event loop only). */
  private static final class Counts {
    long compared;
    long agreed;
    long notCompared;
    final List<JsonObject> mismatches = new ArrayList<>();
  }

  /** Sends one pair and compares; true when done with it, false when the target said 429 (send it again). */
  private Future<Boolean> one(RolloutState s, String url, String key, JsonObject pair,
                              AnswerComparison.Tolerance tolerance, Counts c) {
    JsonObject request = pair.getJsonObject("request");
    JsonObject recorded = pair.getJsonObject("response");
    byte[] body = CollectedRecords.body(request);
    byte[] expected = CollectedRecords.body(recorded);
    if (body == null || expected == null) { // written beside its line (over 4 MB): not replayed
      c.notCompared++;
      return Future.succeededFuture(true);
    }
    String id = request.getString("correlationid", "");
    RequestOptions opts = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url + "/endpoints/"
            + s.endpoint() + "/score").setTimeout(190_000)
        .addHeader("authorization", "Bearer " + key).addHeader("azureml-model-deployment", s.plan().target())
        .addHeader(HEADER, "true").addHeader("x-request-id", "replay-" + id)
        .addHeader("content-type", request.getString("datacontenttype", "application/json"));
    int expectedStatus = recorded.getInteger("statuscode", 200);
    return client.request(opts).compose(req -> req.send(Buffer.buffer(body)))
        .compose(resp -> resp.body().map(b -> {
          if (resp.statusCode() == 429) {
            return false;
          }
          if (MISSING.contains(resp.statusCode())) {
            c.notCompared++; // never ran, or timed out: as a mirror copy without an answer
            return true;
          }
          AnswerComparison.Result r = AnswerComparison.compare(expectedStatus, expected, resp.statusCode(),
              b.getBytes(), tolerance);
          c.compared++;
          if (r.agreed()) {
            c.agreed++;
          } else if (c.mismatches.size() < ReplayJudge.SAMPLES) {
            c.mismatches.add(new JsonObject().put("request_id", id).put("kind", r.kind().label())
                .put("paths", new JsonArray(r.paths())).put("recorded_status", expectedStatus)
                .put("replay_status", resp.statusCode()).put("recorded_body", cut(expected))
                .put("replay_body", cut(b.getBytes())));
          }
          return true;
        }))
        .recover(err -> {
          c.notCompared++; // no answer (the target is down, or the router refused): nothing to compare
          return Future.succeededFuture(true);
        });
  }

  private static String cut(byte[] b) {
    String s = new String(b, java.nio.charset.StandardCharsets.UTF_8);
    return s.length() <= 1024 ? s : s.substring(0, 1024) + "…";
  }
}
