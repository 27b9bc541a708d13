package io.sluice.supervisor;

import io.sluice.auth.ProvedNodes;
import io.sluice.auth.SignedMap;
import io.sluice.auth.ClusterTrust;
import io.sluice.load.LoadPicture;
import io.sluice.node.NodeInfo;
import io.sluice.protocol.Addresses;
import io.sluice.protocol.ClusterCalls;
import io.sluice.protocol.DeploymentDoc;
import io.sluice.protocol.NodeFacts;
import io.sluice.protocol.Events;
import io.sluice.protocol.SafeIds;
import io.sluice.protocol.SupervisorOrders;
import io.sluice.protocol.ValidationException;
import io.sluice.auth.Unproved;
import io.sluice.scoring.ArtifactCache;
import io.sluice.scoring.LogTail;
import io.sluice.scoring.LocalInstances;
import io.sluice.scoring.ScorerVerticle;
import io.sluice.scoring.ZipLimits;
import io.sluice.store.Store;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hosts this node's scorer instances (spawn, stop, logs on {@code sluice.supervisor.<nodeId>}), and, on the one
 * node that is the leader (the oldest Sluice member), runs a {@link Reconciler} round every second, on every event
 * and at once when a member leaves.
 */
public final class DeploymentSupervisorVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(DeploymentSupervisorVerticle.class);
  private static final long RECONCILE_MS = 1000;
  private static final long LATE_WRITE_MS = 15_000;

  private final NodeInfo node;
  /** The routers' load, for the autoscaler. */
  private final LoadPicture picture;
  private final List<Supplier<Future<Void>>> leaderTasks;
  private final ArtifactCache cache;
  /** instance id -> Vert.x deployment id of its ScorerVerticle, for the instances this node hosts. */
  private final Map<String, Future<String>> hosted = new HashMap<>();
  /** Instances this node stopped lately: a late or repeated spawn order for one of them must not bring it back. */
  private final Set<String> stopped = java.util.Collections.newSetFromMap(new java.util.LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > 4096;
    }
  });
  private AsyncMap<String, JsonObject> instances;
  private AsyncMap<String, JsonObject> nodes;
  private ProvedNodes provedNodes;
  /** The leader's work, run on this node while it leads. */
  private Reconciler reconciler;
  private boolean reconciling;
  private boolean leading;
  private UUID membershipListener;
  private boolean again;
  private boolean soon;
  /** How long the last round took (ms): the next waits twice that. */
  private long lastRoundMs;
  /** Numbers the rounds: a round that outlived its timeout must not give orders beside the next one. */
  private long rounds;
  private long timer;

  /** {@code leaderTasks}: more work for the leader's rounds (the rollout runner), run beside the reconciler's. */
  /** The node's registry its instances join. */
  private final LocalInstances locals;
  /** The node's metrics, for its instances' own series (sluice_batch_size); may be null. */
  private final io.micrometer.core.instrument.MeterRegistry registry;

  public DeploymentSupervisorVerticle(NodeInfo node, Store store, ZipLimits unpacked, LoadPicture picture,
                                      List<Supplier<Future<Void>>> leaderTasks, LocalInstances locals,
                                      io.micrometer.core.instrument.MeterRegistry registry) {
    this.locals = locals;
    this.registry = registry;
    this.node = node;
    this.picture = picture;
    this.leaderTasks = List.copyOf(leaderTasks);
    this.cache = new ArtifactCache(store, node.nodeDir().resolve("files"), unpacked);
  }

  @Override
  public Future<?> start() {
    provedNodes = ClusterTrust.of(vertx).nodes();
    nodes = provedNodes.map();
    return SignedMap.of(vertx, Addresses.INSTANCES_MAP)
        .compose(m -> {
          instances = m;
          return SignedMap.of(vertx, Addresses.AUTOSCALE_MAP);
        })
        .compose(autoscale -> {
          reconciler = new Reconciler(vertx, instances, provedNodes, autoscale, picture);
          return provedNodes.publish(node.facts());
        })
        .compose(v -> vertx.eventBus().<JsonObject>consumer(Addresses.supervisor(node.nodeId()), this::order)
            .completion())
        // every event may have changed the instance map (the leader's next round reads it); only the leader runs a
        // round on one: every node running one on every event cost N x N node-map reads per event (docs/capacity.md)
        .compose(v -> vertx.eventBus().<JsonObject>consumer(Addresses.EVENTS, m -> {
          reconciler.instancesMayHaveChanged();
          if (leading) {
            reconcileSoon();
          }
        }).completion())
        .onSuccess(v -> {
          timer = vertx.setPeriodic(RECONCILE_MS, t -> reconcileSoon());
          // a departed member is re-planned at once, not at the next tick
          membershipListener = hazelcast().getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent e) {
              context.runOnContext(x -> {
                reconciler.instancesMayHaveChanged();
                reconcileSoon();
              });
            }

            @Override
            public void memberRemoved(MembershipEvent e) {
              context.runOnContext(x -> {
                reconciler.instancesMayHaveChanged();
                reconcileSoon();
              });
            }
          });
          vertx.eventBus().publish(Addresses.EVENTS, Events.node(node.facts().toJson()));
        });
  }

  /**
   * SIGTERM, step one: mark this node as leaving, so the leader places replacements elsewhere and stops this node's
   * instances once those are Ready. Completes when this node hosts nothing, when no other node could take the
   * instances, or after {@code node.leave_timeout_ms}.
   */
  public Future<Void> leave() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(x -> {
      JsonObject leavingFacts = node.facts().leavingNow().toJson();
      ClusterCalls.bounded(provedNodes.publish(node.facts().leavingNow()), "leaving")
          .onComplete(ar -> vertx.eventBus().publish(Addresses.EVENTS, Events.node(leavingFacts)))
          .compose(v -> ClusterCalls.bounded(provedNodes.refresh(), "the node list"))
          .onSuccess(all -> {
            boolean elsewhere = all.stream().anyMatch(n -> !node.nodeId().equals(n.nodeId())
                && n.hosts());
            if (!elsewhere || hosted.isEmpty()) {
              done.tryComplete();
              return;
            }
            long deadline = System.currentTimeMillis() + node.leaveTimeoutMs();
            vertx.setPeriodic(200, t -> {
              if (hosted.isEmpty() || System.currentTimeMillis() > deadline) {
                vertx.cancelTimer(t);
                done.tryComplete();
              }
            });
          })
          .onFailure(done::tryFail);
    });
    return done.future();
  }

  /** Drains and stops every instance this node still hosts (node shutdown). */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    if (membershipListener != null) {
      hazelcast().getCluster().removeMembershipListener(membershipListener);
    }
    List<Future<Void>> stops = new ArrayList<>();
    for (String id : new ArrayList<>(hosted.keySet())) {
      stops.add(stopLocal(id));
    }
    return Future.join(stops).eventually(() -> nodes == null ? Future.succeededFuture()
        : ClusterCalls.bounded(withdrawn().remove(node.nodeId()), "node removal").mapEmpty());
  }

  private AsyncMap<String, JsonObject> withdrawn() {
    provedNodes.withdraw();
    return nodes;
  }

  // ---- this node's instances -------------------------------------------------------------------------------

  private void order(Message<JsonObject> msg) {
    SupervisorOrders.Order order;
    try {
      order = SupervisorOrders.fromJson(msg.body());
    } catch (ValidationException e) {
      msg.fail(400, e.getMessage());
      return;
    }
    String instanceId = order.instanceId();
    if (order instanceof SupervisorOrders.Collected c) {
      vertx.executeBlocking(() -> io.sluice.collect.CollectedQuery.readHere(node.home(), c), false)
          .onSuccess(r -> msg.reply(r.toJson()))
          .onFailure(err -> msg.fail(500, "cannot read collected data: " + err.getMessage()));
      return;
    }
    if (!SafeIds.instanceId(instanceId)) { // it would name a log file: whoever sent it, it is no node's id
      ClusterTrust.of(vertx).unproved().refused(Unproved.Kind.id, "instance id " + instanceId);
      msg.fail(400, "not an instance id: " + instanceId);
      return;
    }
    if (order instanceof SupervisorOrders.Spawn spawn) {
      msg.reply(spawn(spawn).toJson());
    } else if (order instanceof SupervisorOrders.Stop) {
      boolean known = hosted.containsKey(instanceId);
      if (known) {
        stopLocal(instanceId);
      }
      msg.reply(new SupervisorOrders.Stopped(known).toJson());
    } else {
      int lines = ((SupervisorOrders.Logs) order).lines();
      vertx.executeBlocking(() -> tail(instanceId, lines), false)
          .onSuccess(content -> msg.reply(new SupervisorOrders.Log(content).toJson()))
          .onFailure(err -> msg.fail(500, "cannot read logs: " + err.getMessage()));
    }
  }

  /** Deploys the instance unless it runs here already; refused for one stopped here before (it must not return). */
  private SupervisorOrders.Spawned spawn(SupervisorOrders.Spawn order) {
    String id = order.instanceId();
    if (stopped.contains(id)) {
      return new SupervisorOrders.Spawned(false);
    }
    if (!hosted.containsKey(id)) {
      DeploymentDoc.Resolved resolved = order.deployment().resolved();
      String envName = resolved == null ? null : resolved.environment();
      JsonObject config = new JsonObject().put("instance", order.instance().toJson())
          .put("deployment", order.deployment().toJson()).put("python", node.pythonFor(envName))
          .put("spare_workers", node.spareWorkers());
      Future<String> f = vertx.deployVerticle(new ScorerVerticle(node, cache::materialize, locals, registry), new DeploymentOptions()
          .setConfig(config));
      hosted.put(id, f);
      f.onFailure(err -> {
        LOG.warn("instance {} could not be deployed", id, err);
        hosted.remove(id);
        forgetUnhosted(id);
      });
    }
    return new SupervisorOrders.Spawned(true);
  }

  /**
   * An instance that failed to start here leaves no entry behind: the leader would count it as starting forever and
   * place no replacement. Its first state write may have timed out and still land (a busy cluster), so the entry is
   * removed now and once more {@link #LATE_WRITE_MS} later, unless this node hosts the instance again by then.
   */
  private void forgetUnhosted(String id) {
    instances.remove(id);
    vertx.setTimer(LATE_WRITE_MS, t -> {
      if (!hosted.containsKey(id)) {
        instances.remove(id);
      }
    });
  }

  private Future<Void> stopLocal(String id) {
    Future<String> f = hosted.remove(id);
    stopped.add(id);
    if (f == null) {
      return Future.succeededFuture();
    }
    return f.compose(deploymentId -> vertx.undeploy(deploymentId)).recover(err -> Future.succeededFuture());
  }

  /** An instance's last lines, read from the end of its log: at most 4 MiB of it, whatever its size. */
  private String tail(String instanceId, int lines) throws Exception {
    return LogTail.last(ScorerVerticle.logFile(node, instanceId), lines, 4 << 20);
  }

  // ---- the leader ------------------------------------------------------------------------------------------

  private ClusterManager clusterManager() {
    return ((VertxInternal) vertx).clusterManager();
  }

  private HazelcastInstance hazelcast() {
    return ((HazelcastClusterManager) clusterManager()).getHazelcastInstance();
  }

  /**
   * One round soon, however many events ask for it meanwhile: 50 ms from now, or twice as long as the last round
   * took (at most 1 s), so that rounds take at most a third of the leader's time (at 10,000 instances a busy leader
   * ran them back to back, its event loop blocked for seconds: docs/capacity.md).
   */
  private void reconcileSoon() {
    if (!soon) {
      soon = true;
      vertx.setTimer(Math.min(1000, Math.max(50, 2 * lastRoundMs)), t -> {
        soon = false;
        reconcile();
      });
    }
  }

  private void reconcile() {
    if (reconciling) {
      again = true;
      return;
    }
    reconciling = true;
    // a cluster-map call can hang while Hazelcast re-homes a dead member's partitions: never let one stuck round
    // stop the leader (the next round re-reads everything; a late stale round's extra spawns are stopped as surplus)
    long thisRound = ++rounds;
    long began = System.currentTimeMillis();
    reconcileOnce(() -> thisRound == rounds).timeout(5, TimeUnit.SECONDS).onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("reconcile failed: {}", String.valueOf(ar.cause()));
      }
      // a round that timed out waited on the cluster (partitions re-homed after a death), not on this node: no pause
      lastRoundMs = ar.succeeded() ? System.currentTimeMillis() - began : 0;
      reconciling = false;
      if (again) {
        again = false;
        reconcileSoon();
      }
    });
  }

  /** {@code current}: false once a later round has begun (this one outlived its timeout). */
  private Future<Void> reconcileOnce(java.util.function.BooleanSupplier current) {
    // who leads, from the node list as last read (every 2 s and on each membership change): reading the node map here
    // too cost every node a second cluster-wide read a second, N x N in all (docs/capacity.md); the leader's round
    // reads it afresh
    return Future.succeededFuture(provedNodes.oldest()).compose(oldest -> {
      if (!current.getAsBoolean()) {
        return Future.succeededFuture();
      }
      boolean lead = oldest.map(node.nodeId()::equals).orElse(false);
      if (lead != leading) {
        leading = lead;
        LOG.info("node {} {} the supervisor leader", node.name(), lead ? "is now" : "is no longer");
      }
      if (!lead) {
        return Future.succeededFuture();
      }
      List<Future<Void>> work = new ArrayList<>();
      work.add(reconciler.round(new HashSet<>(clusterManager().getNodes()), current));
      leaderTasks.forEach(t -> work.add(t.get()));
      return Future.join(work).mapEmpty();
    });
  }

}
