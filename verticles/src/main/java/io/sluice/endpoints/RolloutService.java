package io.sluice.endpoints;

import io.sluice.protocol.DeploymentDoc;
import io.sluice.protocol.EndpointDoc;
import io.sluice.protocol.Errors;
import io.sluice.protocol.ProvisioningState;
import io.sluice.protocol.ValidationException;
import io.sluice.rollout.Judge;
import io.sluice.rollout.RolloutMachine;
import io.sluice.rollout.RolloutMachine.Move;
import io.sluice.rollout.RolloutPlan;
import io.sluice.rollout.RolloutState;
import io.sluice.rollout.RolloutState.Status;
import io.sluice.store.Store;
import io.sluice.store.Store.Write;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rollouts as desired state: each command (start, pause, resume, abort) and each verdict of the runner writes the
 * rollout and the endpoint's traffic and mirror maps together, in one store transaction, so a restart or a new leader
 * finds both as they were. A plain class over the {@link Store}; the caller holds the endpoint's lock.
 */
public final class RolloutService {
  private final Store store;
  private final EndpointService endpoints;
  private final DeploymentService deployments;

  public RolloutService(Store store, EndpointService endpoints, DeploymentService deployments) {
    this.store = store;
    this.endpoints = endpoints;
    this.deployments = deployments;
  }

  public JsonObject start(String endpoint, JsonObject spec, long now) throws Exception {
    EndpointDoc ep = endpoints.load(endpoint);
    EndpointService.requireNotDeleting(ep.state(), "endpoint '" + endpoint + "'");
    Optional<RolloutState> current = find(endpoint);
    if (current.isPresent() && current.get().status().active()) {
      throw Errors.conflict("endpoint '" + endpoint + "' is already in a rollout of '" + current.get().plan().target()
          + "' (" + current.get().status() + " at " + current.get().stepLabel() + "); abort it first");
    }
    Map<String, ProvisioningState> states = new HashMap<>();
    for (DeploymentDoc d : deployments.list(endpoint)) {
      if (d.state() != ProvisioningState.Deleting) {
        states.put(d.name(), d.state());
      }
    }
    RolloutPlan plan = RolloutPlan.parse(spec, ep, states.keySet());
    if (states.get(plan.target()) != ProvisioningState.Succeeded) {
      throw new ValidationException("deployment: '" + plan.target() + "' is "
          + states.get(plan.target()) + "; a rollout starts once its deployment Succeeded");
    }
    if (plan.replayFirst() > 0 && recording(endpoint, ep.traffic(), plan.target()).isEmpty()) {
      throw new ValidationException("replay_first: no live deployment of endpoint '" + endpoint + "' collects both "
          + "its requests and its responses (data_collector.collections.request and .response enabled), so there is "
          + "nothing to replay; turn them on and let it serve a while, or leave replay_first out");
    }
    return write(ep, RolloutMachine.start(endpoint, plan, ep.traffic(), ep.mirror(), now));
  }

  /** The deployments with live weight (other than the target) that collect their requests and responses. */
  private List<DeploymentDoc> recording(String endpoint, Map<String, Integer> traffic, String target)
      throws Exception {
    List<DeploymentDoc> out = new ArrayList<>();
    for (DeploymentDoc d : deployments.list(endpoint)) {
      Object dc = d.spec().getValue("data_collector");
      if (!d.name().equals(target) && traffic.getOrDefault(d.name(), 0) > 0 && dc != null) {
        io.sluice.collect.DataCollection c = io.sluice.collect.DataCollection.parse(dc);
        if (c.enabled(io.sluice.collect.DataCollection.REQUEST) && c.enabled(io.sluice.collect.DataCollection.RESPONSE)) {
          out.add(d);
        }
      }
    }
    return out;
  }

  /** What the replayer of a rollout in its replay step needs: where the recordings are, how many, and the key. */
  public record ReplayInputs(List<DeploymentDoc> live, int count, String key, JsonObject comparison) {
  }

  public ReplayInputs replayInputs(String endpoint) throws Exception {
    EndpointDoc ep = endpoints.load(endpoint);
    RolloutState s = find(endpoint).orElseThrow(() -> Errors.notFound("endpoint '" + endpoint + "' has had no rollout"));
    return new ReplayInputs(recording(endpoint, s.beforeTraffic(), s.plan().target()), s.plan().replayFirst(),
        ep.primaryKey(), ep.spec().getJsonObject("mirror_comparison"));
  }

  public JsonObject get(String endpoint) throws Exception {
    endpoints.load(endpoint);
    return view(find(endpoint).orElseThrow(() -> Errors.notFound("endpoint '" + endpoint + "' has had no rollout")));
  }

  public JsonObject pause(String endpoint) throws Exception {
    RolloutState s = active(endpoint, "pause");
    if (s.status() != Status.Running) {
      throw Errors.conflict("the rollout of endpoint '" + endpoint + "' is already Paused");
    }
    return write(endpoints.load(endpoint), RolloutMachine.pause(s));
  }

  public JsonObject resume(String endpoint, long now) throws Exception {
    RolloutState s = active(endpoint, "resume");
    if (s.status() != Status.Paused) {
      throw Errors.conflict("the rollout of endpoint '" + endpoint + "' is Running; nothing to resume");
    }
    return write(endpoints.load(endpoint), RolloutMachine.resume(s, now));
  }

  public JsonObject abort(String endpoint) throws Exception {
    return write(endpoints.load(endpoint), RolloutMachine.abort(active(endpoint, "abort")));
  }

  /** The runner's verdict on the window of {@code revision}; ignored (false) when a command came in between. */
  public boolean advance(String endpoint, int revision, Judge.Verdict verdict, long now) throws Exception {
    Optional<RolloutState> s = find(endpoint);
    Optional<EndpointDoc> ep = store.get(Store.ENDPOINT, endpoint).map(EndpointDoc::fromJson);
    if (s.isEmpty() || ep.isEmpty() || ep.get().state() == ProvisioningState.Deleting
        || s.get().revision() != revision || s.get().status() != Status.Running) {
      return false;
    }
    write(ep.get(), RolloutMachine.judged(s.get(), verdict, now));
    return true;
  }

  /** Running rollouts, for the runner. */
  public List<RolloutState> running() throws Exception {
    List<RolloutState> out = new ArrayList<>();
    for (JsonObject j : store.list(Store.ROLLOUT, "")) {
      RolloutState s = RolloutState.fromJson(j);
      if (s.status() == Status.Running) {
        out.add(s);
      }
    }
    return out;
  }

  private RolloutState active(String endpoint, String verb) throws Exception {
    endpoints.load(endpoint);
    RolloutState s = find(endpoint).orElseThrow(() -> Errors.notFound("endpoint '" + endpoint
        + "' has had no rollout"));
    if (!s.status().active()) {
      throw Errors.conflict("the rollout of endpoint '" + endpoint + "' is " + s.status() + "; nothing to " + verb);
    }
    return s;
  }

  private Optional<RolloutState> find(String endpoint) throws Exception {
    return store.get(Store.ROLLOUT, endpoint).map(RolloutState::fromJson);
  }

  /** The rollout and the maps it puts in force, in one transaction; previous deployments go when asked. */
  private JsonObject write(EndpointDoc ep, Move m) throws Exception {
    List<Write> writes = new ArrayList<>();
    writes.add(new Write(Store.ROLLOUT, ep.name(), m.state().toJson()));
    // stored as every other change stores them: without 0 % entries (show lists every deployment anyway)
    Map<String, Integer> traffic = new java.util.LinkedHashMap<>(SpecValidator.strip(m.traffic()));
    Map<String, Integer> mirror = new java.util.LinkedHashMap<>(SpecValidator.strip(m.mirror()));
    if (!traffic.equals(ep.traffic()) || !mirror.equals(ep.mirror())) {
      JsonObject next = ep.withTraffic(traffic, mirror).toJson().put("revision", ep.revision() + 1);
      writes.add(new Write(Store.ENDPOINT, ep.name(), next));
    }
    if (m.state().status() == Status.Succeeded && m.state().plan().deletePrevious()) {
      for (String d : m.state().beforeTraffic().keySet()) {
        Optional<JsonObject> doc = d.equals(m.state().plan().target()) ? Optional.empty()
            : store.get(Store.DEPLOYMENT, DeploymentDoc.key(ep.name(), d));
        doc.map(DeploymentDoc::fromJson).filter(x -> x.state() != ProvisioningState.Deleting).ifPresent(x ->
            writes.add(new Write(Store.DEPLOYMENT, x.key(), x.withState(ProvisioningState.Deleting, x.statusReason())
                .toJson())));
      }
    }
    store.write(writes);
    return view(m.state());
  }

  static JsonObject view(RolloutState s) {
    JsonObject v = s.toJson();
    v.put("step_label", s.stepLabel()).put("deployment", s.plan().target());
    return v.put("window_end", RolloutMachine.windowEnd(s));
  }
}
