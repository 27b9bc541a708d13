package io.sluice.rollout;

import io.sluice.load.LoadPicture;
import io.sluice.load.LoadPicture.Key;
import io.sluice.protocol.ControlPlane;
import io.sluice.protocol.LoadReport;
import io.sluice.protocol.Ops;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the cluster's rollouts, on the supervisor leader, once a second: every Running rollout whose window is over
 * is judged from this node's {@link LoadPicture} (the target against the deployments with live weight, over the same
 * seconds; a replay step is run and judged by the {@link Replayer}) and the verdict goes to the endpoint-manager,
 * which moves the rollout and the traffic together. The state is in the store, so a new leader carries on at the step the rollout was in, judging the window it finds there.
 */
public final class RolloutRunner {
  private static final Logger LOG = LoggerFactory.getLogger(RolloutRunner.class);
  private final Vertx vertx;
  private final LoadPicture picture;
  private final Replayer replayer;

  /** {@code routers}: how this node reaches a router for a replay (TLS trust when the routers speak HTTPS). */
  public RolloutRunner(Vertx vertx, LoadPicture picture, io.vertx.core.http.HttpClientOptions routers) {
    this.vertx = vertx;
    this.picture = picture;
    this.replayer = new Replayer(vertx, routers);
  }

  /** One round: judge what is due. */
  public Future<Void> round() {
    return ControlPlane.internal(vertx, new JsonObject().put(Ops.OP, Ops.ROLLOUT_RUNNING), 10_000).compose(r -> {
      long now = System.currentTimeMillis() / 1000;
      List<Future<?>> work = new ArrayList<>();
      List<RolloutState> states = new ArrayList<>();
      r.getJsonArray("value", new JsonArray()).forEach(o -> states.add(RolloutState.fromJson((JsonObject) o)));
      replayer.follow(states);
      for (RolloutState s : states) {
        if (RolloutMachine.due(s, now)) {
          Judge.Verdict v = judge(s);
          LOG.info("rollout of {} on {} at {}: {} {}", s.plan().target(), s.endpoint(), s.stepLabel(), v.outcome(),
              v.reasons());
          work.add(ControlPlane.internal(vertx, new JsonObject().put(Ops.OP, Ops.ROLLOUT_ADVANCE)
              .put("endpoint", s.endpoint()).put("revision", s.revision()).put("verdict", v.toJson()), 10_000));
        }
      }
      return Future.join(work).mapEmpty();
    });
  }

  /** The target (its mirrored copies while mirroring first) against every deployment with live weight. */
  Judge.Verdict judge(RolloutState s) {
    long from = RolloutMachine.windowFrom(s);
    long to = RolloutMachine.windowEnd(s);
    String target = s.plan().target();
    List<Key> live = new ArrayList<>();
    for (Map.Entry<String, Integer> e : RolloutMachine.inForce(s).traffic().entrySet()) {
      if (!e.getKey().equals(target) && e.getValue() > 0) {
        live.add(new Key(s.endpoint(), e.getKey(), false));
      }
    }
    Key targetKey = new Key(s.endpoint(), target, s.step() == RolloutState.MIRROR);
    Judge.Agreement agreement = null;
    if (s.step() == RolloutState.MIRROR) { // mirroring first: how the copies' answers compared with the live answers
      LoadReport.Comparison c = picture.comparison(targetKey, from, to);
      agreement = new Judge.Agreement(c.compared(), c.agreed());
    }
    return Judge.judge(picture.window(targetKey, from, to), picture.window(live, from, to), agreement,
        s.plan().criteria());
  }
}
