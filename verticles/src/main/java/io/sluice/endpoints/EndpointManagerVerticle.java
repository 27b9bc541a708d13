package io.sluice.endpoints;

import io.sluice.auth.SignedMap;
import io.sluice.auth.ClusterTrust;
import io.sluice.auth.KeyHasher;
import io.sluice.auth.Tokens;
import io.sluice.endpoints.AssetRegistry.Kind;
import io.sluice.nodes.NodeAdmin;
import io.sluice.protocol.Addresses;
import io.sluice.protocol.ClusterCalls;
import io.sluice.protocol.Errors;
import io.sluice.protocol.Events;
import io.sluice.protocol.InstanceInfo;
import io.sluice.protocol.InstanceState;
import io.sluice.protocol.NodeFacts;
import io.sluice.protocol.Ops;
import io.sluice.protocol.SupervisorOrders;
import io.sluice.protocol.ProvisioningState;
import io.sluice.protocol.Routers;
import io.sluice.protocol.ValidationException;
import io.sluice.rollout.Judge;
import io.sluice.store.Store;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The endpoint-manager: owns the desired state. It maps each message to a call of {@link EndpointService},
 * {@link DeploymentService} or {@link AssetRegistry} (which validate and write the store), runs changes to one
 * endpoint under a cluster-wide lock (so every node may run a manager), and tells the routers before it answers.
 * User-facing ops arrive on {@link Addresses#ENDPOINTS}; the nodes' own (snapshot, the leader's reports) on
 * {@link Addresses#ENDPOINTS_INTERNAL}.
 */
public final class EndpointManagerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(EndpointManagerVerticle.class);

  private final Store store;
  /** The token-signing key pair: the private half never leaves this verticle (routers get the public one). */
  private final Tokens.KeyPair tokenKeys;
  private final KeyHasher keyHasher;
  private final long tokenTtlSeconds;
  private EndpointService endpoints;
  private DeploymentService deployments;
  private AssetRegistry assets;
  private RolloutService rollouts;
  private final Map<String, Function<JsonObject, Future<JsonObject>>> ops = new HashMap<>();
  private final Map<String, Function<JsonObject, Future<JsonObject>>> internalOps = new HashMap<>();

  public EndpointManagerVerticle(Store store, Tokens.KeyPair tokenKeys, KeyHasher keyHasher, long tokenTtlSeconds) {
    this.store = store;
    this.tokenKeys = tokenKeys;
    this.keyHasher = keyHasher;
    this.tokenTtlSeconds = tokenTtlSeconds;
  }

  @Override
  public Future<?> start() {
    assets = new AssetRegistry(store);
    endpoints = new EndpointService(store, Tokens.signer(vertx, tokenKeys), keyHasher, tokenTtlSeconds);
    deployments = new DeploymentService(store, assets, endpoints);
    rollouts = new RolloutService(store, endpoints, deployments);
    endpointOps();
    rolloutOps();
    deploymentOps();
    assetOps();
    nodeOps();
    nodeAdminOps();
    return vertx.eventBus().<JsonObject>consumer(Addresses.ENDPOINTS, m -> handle(ops, m)).completion()
        .compose(v -> vertx.eventBus().<JsonObject>consumer(Addresses.ENDPOINTS_INTERNAL, m -> handle(internalOps, m))
            .completion());
  }

  private void endpointOps() {
    ops.put(Ops.ENDPOINT_CREATE, m -> {
      JsonObject spec = EndpointService.validate(m.getJsonObject("spec", new JsonObject()));
      return changing(m, spec.getString("name"), () -> endpoints.create(spec));
    });
    ops.put(Ops.ENDPOINT_GET, m -> blocking(() -> endpoints.get(m.getString("name"))));
    ops.put(Ops.ENDPOINT_LIST, m -> blocking(endpoints::list));
    ops.put(Ops.ENDPOINT_UPDATE, m -> {
      JsonObject patch = m.getJsonObject("patch", new JsonObject());
      EndpointService.validatePatch(patch);
      return changing(m, m.getString("name"), () -> endpoints.update(m.getString("name"), patch, m.getInteger("if_match")));
    });
    ops.put(Ops.ENDPOINT_DELETE, m -> changing(m, m.getString("name"), () -> endpoints.delete(m.getString("name"))));
    ops.put(Ops.ENDPOINT_TOKEN, m -> blocking(() -> endpoints.token(m.getString("name"))));
    ops.put(Ops.ENDPOINT_KEYS, m -> blocking(() -> endpoints.keys(m.getString("name"))));
    ops.put(Ops.ENDPOINT_REGENERATE_KEYS, m -> {
      String slot = EndpointService.keySlot(m.getString("key_type", "primary"));
      return changing(m, m.getString("name"), () -> endpoints.regenerateKey(m.getString("name"), slot));
    });
  }

  private void deploymentOps() {
    ops.put(Ops.DEPLOYMENT_CREATE, m -> {
      JsonObject spec = DeploymentService.validate(m.getJsonObject("spec", new JsonObject()));
      return offered(spec.getString("instance_type")).compose(ok -> changing(m, spec.getString("endpoint_name"),
          () -> deployments.create(spec, m.getBoolean("all_traffic", false))));
    });
    ops.put(Ops.DEPLOYMENT_UPDATE, m -> {
      JsonObject spec = DeploymentService.validate(m.getJsonObject("spec", new JsonObject()));
      return offered(spec.getString("instance_type")).compose(ok -> changing(m, spec.getString("endpoint_name"),
          () -> deployments.update(spec, m.getInteger("if_match"))));
    });
    ops.put(Ops.DEPLOYMENT_GET, m -> blocking(() -> deployments.load(m.getString("endpoint"), m.getString("name")))
        .compose(d -> Future.all(instances(), autoscaling()).map(all -> DeploymentService.view(d, all.resultAt(0),
            all.resultAt(1)))));
    ops.put(Ops.DEPLOYMENT_LIST, m -> blocking(() -> deployments.list(m.getString("endpoint")))
        .compose(list -> Future.all(instances(), autoscaling()).map(all -> {
          JsonArray out = new JsonArray();
          list.forEach(d -> out.add(DeploymentService.view(d, all.resultAt(0), all.resultAt(1))));
          return new JsonObject().put("value", out);
        })));
    ops.put(Ops.DEPLOYMENT_DELETE, m -> changing(m, m.getString("endpoint"),
        () -> deployments.delete(m.getString("endpoint"), m.getString("name"))));
    ops.put(Ops.DEPLOYMENT_LOGS, m -> logs(m.getString("endpoint"), m.getString("name"), m.getInteger("lines", 5000)));
    ops.put(Ops.DEPLOYMENT_COLLECTED, m -> blocking(() -> deployments.load(m.getString("endpoint"), m.getString("name")))
        .compose(d -> io.sluice.collect.CollectedQuery.ask(vertx, d, m.getString("collection"), m.getLong("since"),
            m.getInteger("limit"))));
  }

  /** Rollouts change the endpoint's traffic, so each command runs under the endpoint's lock and tells the routers. */
  private void rolloutOps() {
    ops.put(Ops.ROLLOUT_START, m -> changing(m, m.getString("name"), () -> rollouts.start(m.getString("name"),
        m.getJsonObject("spec", new JsonObject()), now())));
    ops.put(Ops.ROLLOUT_GET, m -> blocking(() -> rollouts.get(m.getString("name"))));
    ops.put(Ops.ROLLOUT_PAUSE, m -> changing(m, m.getString("name"), () -> rollouts.pause(m.getString("name"))));
    ops.put(Ops.ROLLOUT_RESUME, m -> changing(m, m.getString("name"), () -> rollouts.resume(m.getString("name"), now())));
    ops.put(Ops.ROLLOUT_ABORT, m -> changing(m, m.getString("name"), () -> rollouts.abort(m.getString("name"))));
    internalOps.put(Ops.ROLLOUT_RUNNING, m -> blocking(() -> {
      JsonArray out = new JsonArray();
      rollouts.running().forEach(r -> out.add(r.toJson()));
      return new JsonObject().put("value", out);
    }));
    internalOps.put(Ops.ROLLOUT_RECORDED, m -> blocking(() -> rollouts.replayInputs(m.getString("endpoint")))
        .compose(in -> io.sluice.collect.RecordedPairs.fetch(vertx, in.live(), in.count()).map(pairs ->
            new JsonObject().put("pairs", pairs).put("key", in.key()).put("mirror_comparison", in.comparison()))));
    internalOps.put(Ops.ROLLOUT_ADVANCE, m -> settled(m.getString("endpoint"), () -> rollouts.advance(
        m.getString("endpoint"), m.getInteger("revision", -1), Judge.Verdict.fromJson(m.getJsonObject("verdict")),
        now())));
  }

  private static long now() {
    return System.currentTimeMillis() / 1000;
  }

  private void assetOps() {
    ops.put(Ops.MODEL_CREATE, m -> once(m, () -> assets.create(Kind.MODEL, m.getJsonObject("spec", new JsonObject()))));
    ops.put(Ops.ENVIRONMENT_CREATE, m -> once(m, () -> assets.create(Kind.ENVIRONMENT,
        m.getJsonObject("spec", new JsonObject()))));
    ops.put(Ops.MODEL_GET, m -> blocking(() -> assets.get(Kind.MODEL, m.getString("name"), m.getString("version"))));
    ops.put(Ops.ENVIRONMENT_GET, m -> blocking(() -> assets.get(Kind.ENVIRONMENT, m.getString("name"),
        m.getString("version"))));
    ops.put(Ops.MODEL_LIST, m -> blocking(() -> assets.list(Kind.MODEL, m.getString("name"))));
    ops.put(Ops.ENVIRONMENT_LIST, m -> blocking(() -> assets.list(Kind.ENVIRONMENT, m.getString("name"))));
  }

  /** The nodes' own door: the whole desired state, and the supervisor leader's reports. */
  private void nodeOps() {
    internalOps.put(Ops.SNAPSHOT, m -> blocking(() -> endpoints.snapshot(tokenKeys.publicPem()).toJson()));
    internalOps.put(Ops.DEPLOYMENT_STATE, m -> settled(m.getString("endpoint"), () -> deployments.settle(
        m.getString("endpoint"), m.getString("name"), m.getInteger("spec_version", 0),
        ProvisioningState.valueOf(m.getString("state")), m.getString("reason"))));
    internalOps.put(Ops.DEPLOYMENT_DELETED, m -> settled(m.getString("endpoint"),
        () -> deployments.deleted(m.getString("endpoint"), m.getString("name"))));
  }

  /** sluice node list / drain / undrain: drains one at a time under the nodes lock. */
  private void nodeAdminOps() {
    NodeAdmin admin = new NodeAdmin(vertx, store, work -> lockedAsync(Addresses.NODES_LOCK, "the node list", work));
    ops.put(Ops.NODE_LIST, m -> admin.list());
    ops.put(Ops.NODE_GET, m -> admin.get(m.getString("name")));
    ops.put(Ops.NODE_DRAIN, m -> admin.drain(m.getString("name"), m.getBoolean("routers", false)));
    ops.put(Ops.NODE_UNDRAIN, m -> admin.undrain(m.getString("name")));
  }

  private void handle(Map<String, Function<JsonObject, Future<JsonObject>>> table, Message<JsonObject> msg) {
    JsonObject body = msg.body();
    String op = body.getString(Ops.OP, "");
    Function<JsonObject, Future<JsonObject>> handler = table.get(op);
    Future<JsonObject> result;
    try {
      result = handler == null ? Future.failedFuture(Errors.badRequest("unknown operation '" + op + "'"))
          : handler.apply(body);
    } catch (ValidationException | ReplyException e) {
      result = Future.failedFuture(e);
    }
    result.onSuccess(msg::reply).onFailure(err -> {
      int status = Errors.httpStatus(err);
      if (status >= 500) {
        LOG.error("control-plane operation {} failed", op, err);
      }
      msg.fail(status, status == 500 ? "internal error: " + err.getMessage() : err.getMessage());
    });
  }

  /** The instance_type must be offered by some node that hosts instances. */
  private Future<Void> offered(String type) {
    return ClusterCalls.bounded(ClusterTrust.of(vertx).nodes().refresh(), "the node list").compose(nodes -> {
          DeploymentService.requireOffered(type, nodes);
          return Future.succeededFuture();
        });
  }

  /** get-logs: proxied to the supervisor of the node that hosts one of the deployment's instances (a Ready one). */
  private Future<JsonObject> logs(String ep, String name, int lines) {
    return blocking(() -> deployments.load(ep, name)).compose(d -> instances()).compose(all -> {
      InstanceInfo pick = null;
      for (InstanceInfo i : all.stream().filter(i -> i.of(ep, name)).sorted(Comparator.comparing(InstanceInfo::id))
          .toList()) {
        if (pick == null || i.state() == InstanceState.Ready && pick.state() != InstanceState.Ready) {
          pick = i;
        }
      }
      if (pick == null) {
        return Future.succeededFuture(new JsonObject().put("content", ""));
      }
      return vertx.eventBus().<JsonObject>request(Addresses.supervisor(pick.nodeId()),
          new SupervisorOrders.Logs(pick.id(), lines).toJson(),
          new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(10_000)).map(Message::body);
    });
  }

  /** The autoscaler's states (what {@code show} says of autoscaled deployments). */
  private Future<Map<String, JsonObject>> autoscaling() {
    return ClusterCalls.bounded(SignedMap.of(vertx, Addresses.AUTOSCALE_MAP)
        .compose(map -> map.entries()), "the autoscaler's states");
  }

  private Future<List<InstanceInfo>> instances() {
    return ClusterCalls.bounded(SignedMap.of(vertx, Addresses.INSTANCES_MAP)
        .compose(map -> map.values()), "the instance list").map(l -> l.stream().map(InstanceInfo::fromJson).toList());
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return vertx.executeBlocking(work, false);
  }

  /**
   * A read-modify-write of one endpoint under its cluster-wide lock, on a worker thread; then the routers learn. A
   * request repeated with the same client request id gets its first answer and changes nothing
   * ({@link ClientRequests}).
   */
  private Future<JsonObject> changing(JsonObject m, String endpoint, Callable<JsonObject> work) {
    boolean[] replayed = {false};
    return locked(endpoint, () -> {
      Optional<JsonObject> first = ClientRequests.replay(store, m, now());
      if (first.isPresent()) {
        replayed[0] = true;
        return first.get();
      }
      JsonObject answer = work.call();
      ClientRequests.record(store, m, answer, now());
      return answer;
    }).compose(v -> replayed[0] ? Future.succeededFuture(v) : changed(endpoint).map(v));
  }

  /** An asset version is written once: a repeat of the request that wrote it gets the first answer. */
  private Future<JsonObject> once(JsonObject m, Callable<JsonObject> work) {
    return blocking(() -> {
      Optional<JsonObject> first = ClientRequests.replay(store, m, now());
      if (first.isPresent()) {
        return first.get();
      }
      JsonObject answer = work.call();
      ClientRequests.record(store, m, answer, now());
      return answer;
    });
  }

  /** A leader's report: applied under the lock; the routers learn only when something changed. */
  private Future<JsonObject> settled(String endpoint, Callable<Boolean> work) {
    return locked(endpoint, work).compose(applied -> {
      JsonObject answer = new JsonObject().put("applied", applied);
      return applied ? changed(endpoint).map(answer) : Future.succeededFuture(answer);
    });
  }

  private <T> Future<T> locked(String endpoint, Callable<T> work) {
    if (endpoint == null) {
      return Future.failedFuture(Errors.badRequest("an endpoint name is required"));
    }
    // The cluster lock is a Hazelcast map lock, owned by the worker thread that took it and re-entrant: a second
    // request whose tryLock ran on that same (free again) worker thread would get it too. A local lock first (not
    // owned by a thread) keeps two requests of this node apart; the cluster lock keeps nodes apart.
    return lockedAsync(Addresses.endpointLock(endpoint), "endpoint '" + endpoint + "'", () -> blocking(work));
  }

  private <T> Future<T> lockedAsync(String name, String what, java.util.function.Supplier<Future<T>> work) {
    return busyAfter(vertx.sharedData().getLocalLockWithTimeout(name, 15_000), what)
        .compose(local -> busyAfter(vertx.sharedData().getLockWithTimeout(name, 15_000), what)
            .compose(cluster -> work.get().andThen(ar -> cluster.release()))
            .andThen(ar -> local.release()));
  }

  /** A lock not free within its timeout: a 503 the client may retry. */
  private static Future<io.vertx.core.shareddata.Lock> busyAfter(Future<io.vertx.core.shareddata.Lock> lock,
                                                                 String what) {
    return lock.recover(err -> Future.failedFuture(new ReplyException(
        io.vertx.core.eventbus.ReplyFailure.RECIPIENT_FAILURE, 503, what + " is being changed by "
        + "another request (its lock was not free within 15 s); retry")));
  }

  /**
   * Tells every router the endpoint's new desired state (keys included) and waits until each has applied it or
   * {@link Routers#ACK_TIMEOUT_MS} passed, then publishes the change for the supervisor leader. A router that did not
   * answer in time is named in the log and catches up on its periodic resync; the caller is not held up by it.
   */
  private Future<Void> changed(String endpoint) {
    String id = java.util.UUID.randomUUID().toString();
    return blocking(() -> endpoints.change(endpoint).toJson().put(Events.CHANGE, id))
        .compose(change -> Routers.tellAll(vertx, change))
        .onSuccess(missed -> {
          if (!missed.isEmpty()) {
            LOG.warn("change of endpoint '{}' answered before routers {} acknowledged it (they resync within 2 s)",
                endpoint, missed);
          }
        })
        .onComplete(ar -> vertx.eventBus().publish(Addresses.EVENTS,
            Events.desired(endpoint).put(Events.CHANGE, id)))
        .mapEmpty();
  }
}
