package io.sluice.autoscale;

import io.sluice.load.LoadPicture;
import io.sluice.protocol.ClusterCalls;
import io.sluice.protocol.DeploymentDoc;
import io.sluice.protocol.ScaleSettings;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The supervisor leader's autoscaling step: for each {@code target_utilization} deployment, every
 * {@code polling_interval} seconds, reads its load from the load picture (the one the routers feed, which rollout
 * judging reads too), asks {@link Autoscaler} for the count and keeps it, with the figures and the reason, in
 * {@code sluice.autoscale} (so the next leader resumes from it and {@code show} can say why). Runs on the leader's
 * event loop, inside its reconcile rounds.
 */
public final class AutoscaleRunner {
  private static final Logger LOG = LoggerFactory.getLogger(AutoscaleRunner.class);
  /** Reports cover the second before the one they are sent in: the newest complete second is two behind. */
  private static final int LAG_SECONDS = 2;

  private final LoadPicture picture;
  private final AsyncMap<String, JsonObject> stateMap;
  private final Map<String, State> states = new HashMap<>();

  /** One deployment's scaler: its count, since when it has watched in full, and its last decision. */
  private static final class State {
    int count;
    long watchedSince;
    /** When the last decision was made (epoch ms); -1 before the first. */
    long decidedAtMillis = -1;
    JsonObject status = new JsonObject();
  }

  public AutoscaleRunner(LoadPicture picture, AsyncMap<String, JsonObject> stateMap) {
    this.picture = picture;
    this.stateMap = stateMap;
  }

  /**
   * The count each autoscaled deployment runs at now ("endpoint/deployment" → count); deployments that are not
   * autoscaled are absent. {@code stored}: {@code sluice.autoscale} as read this round (a new leader resumes from
   * it); {@code blocked}: why a deployment could not get all its instances (placement), shown with its status.
   */
  public Map<String, Integer> counts(Collection<DeploymentDoc> deployments, Map<String, JsonObject> stored,
                                     Map<String, String> blocked, long nowMillis, List<Future<?>> work) {
    long now = nowMillis / 1000 - LAG_SECONDS;
    Map<String, Integer> out = new HashMap<>();
    Set<String> keys = new java.util.HashSet<>();
    for (DeploymentDoc d : deployments) {
      ScaleSettings s = d.scaleSettings();
      if (!s.autoscaled()) {
        continue;
      }
      keys.add(d.key());
      State st = states.computeIfAbsent(d.key(), k -> resume(stored.get(k), s, d.instanceCount(), now));
      // rounds also run on events, several a second: decide once per polling_interval of elapsed time
      if (st.decidedAtMillis < 0 || nowMillis - st.decidedAtMillis >= s.pollingInterval() * 1000L - 100) {
        st.decidedAtMillis = nowMillis;
        decide(d, s, st, now, blocked.get(d.key()), work);
      }
      out.put(d.key(), st.count);
    }
    states.keySet().retainAll(keys);
    for (String gone : stored.keySet()) {
      if (!keys.contains(gone)) {
        work.add(ClusterCalls.bounded(stateMap.remove(gone), "autoscale state"));
      }
    }
    return out;
  }

  /**
   * A new leader resumes from the stored count; a newly autoscaled deployment starts at its instance_count. Either
   * watches a full window before it scales down.
   */
  private static State resume(JsonObject stored, ScaleSettings s, int start, long now) {
    State st = new State();
    int count = stored == null ? start : stored.getInteger("current_instances", start);
    st.count = Math.max(s.minInstances(), Math.min(s.maxInstances(), count));
    st.watchedSince = now + 1;
    return st;
  }

  /**
   * A second's demand in requests in flight: what the routers reported in flight, or (Little's law) the answers
   * served x median latency, whichever is larger; scaled up by the requests refused with 429 (demand the instances
   * could not take: without it a saturated deployment would look only as busy as its admission limit).
   */
  static double demand(LoadPicture.Stats x) {
    long served = x.answers() - x.throttled();
    double inFlight = Math.max(x.inFlight(), served * x.p50Ms() / 1000.0);
    return served <= 0 ? inFlight + x.throttled() : inFlight * x.answers() / served;
  }

  private void decide(DeploymentDoc d, ScaleSettings s, State st, long now, String blocked, List<Future<?>> work) {
    List<Autoscaler.Second> seconds = new ArrayList<>();
    for (LoadPicture.Stats x : picture.series(new LoadPicture.Key(d.endpoint(), d.name(), false),
        now - Math.max(s.scaleDownDelay(), Autoscaler.PANIC_SECONDS) + 1, now)) {
      seconds.add(new Autoscaler.Second(x.fromSecond(), demand(x)));
    }
    Autoscaler.Decision dec = Autoscaler.decide(s, st.count, d.requestSettings().perInstance(), seconds, now,
        st.watchedSince);
    if (dec.desired() != st.count) {
      LOG.info("autoscaling {}: {} -> {} ({})", d.key(), st.count, dec.desired(), dec.reason());
      if (dec.desired() > st.count) {
        st.watchedSince = now + 1; // the window that justifies a scale-down starts after the last scale-up
      }
      st.count = dec.desired();
    }
    JsonObject status = new JsonObject().put("current_instances", st.count)
        .put("utilization_percentage", Math.round(dec.utilizationPercent() * 10) / 10.0)
        .put("in_flight_6s", dec.panicInFlight()).put("in_flight_window", dec.stableInFlight())
        .put("reason", blocked == null ? dec.reason() : dec.reason() + "; blocked: " + blocked);
    if (!status.equals(st.status)) {
      st.status = status;
      work.add(ClusterCalls.bounded(stateMap.put(d.key(), status.copy().put("decided_at_second", now)),
          "autoscale state"));
    }
  }
}
