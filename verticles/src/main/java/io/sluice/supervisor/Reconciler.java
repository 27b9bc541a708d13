package io.sluice.supervisor;

import io.sluice.auth.ProvedNodes;
import io.sluice.autoscale.AutoscaleRunner;
import io.sluice.load.LoadPicture;
import io.sluice.protocol.Addresses;
import io.sluice.protocol.ControlPlane;
import io.sluice.protocol.DeploymentDoc;
import io.sluice.protocol.InstanceInfo;
import io.sluice.protocol.InstanceState;
import io.sluice.protocol.SupervisorOrders;
import io.sluice.protocol.NodeFacts;
import io.sluice.protocol.Ops;
import io.sluice.protocol.ProvisioningState;
import io.sluice.protocol.Snapshot;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One round of the supervisor leader: reads the desired state, the instances and the nodes; forgets what died with
 * its node; runs {@link Placement} and sends its spawn and stop orders to the nodes' supervisors; reports settled
 * creates, updates ({@link Outcomes}) and deletions to the endpoint-manager. Every round re-reads everything (the
 * instance map when something may have changed it: {@link InstanceReads}), so a lost order or report is simply made
 * again. Runs on the supervisor's event loop.
 */
final class Reconciler {
  private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
  private static final long ORDER_TIMEOUT_MS = 10_000;

  private final Vertx vertx;
  private final AsyncMap<String, JsonObject> instances;
  private final AsyncMap<String, JsonObject> nodes;
  /** Refreshed with each round, so that the event bus knows every node the round may give orders to. */
  private final ProvedNodes provedNodes;
  private final AsyncMap<String, JsonObject> autoscaleMap;
  private final AutoscaleRunner autoscaler;
  private final InstanceReads instanceReads;
  /** Last round's placement failures: an autoscaled deployment's status says when a scale-up is blocked. */
  private Map<String, String> blocked = Map.of();
  /** What was last reported per deployment, so each outcome is reported once. */
  private final Map<String, String> reported = new HashMap<>();
  /**
   * Instances this leader has given an order for. A Provisioning instance it has not ordered was placed by an earlier
   * leader that may have died between writing it and sending its order: its order is sent again (spawn is idempotent).
   */
  private final Set<String> ordered = new HashSet<>();

  Reconciler(Vertx vertx, AsyncMap<String, JsonObject> instances, ProvedNodes provedNodes,
             AsyncMap<String, JsonObject> autoscaleMap, LoadPicture picture) {
    this.vertx = vertx;
    this.instances = instances;
    this.provedNodes = provedNodes;
    this.nodes = provedNodes.map(); // every proved entry, those of departed members too (to forget them)
    this.autoscaleMap = autoscaleMap;
    this.autoscaler = new AutoscaleRunner(picture, autoscaleMap);
    this.instanceReads = new InstanceReads(instances::values, System::currentTimeMillis);
  }

  /** An event or a membership change: the next round reads the instance map again ({@link InstanceReads}). */
  void instancesMayHaveChanged() {
    instanceReads.changed();
  }

  /**
   * One round; {@code members}: the Vert.x node ids of the cluster's members now; {@code current}: false if a later
   * round has begun meanwhile (this one then gives no orders).
   */
  Future<Void> round(Set<String> members, BooleanSupplier current) {
    return Future.all(ControlPlane.snapshot(vertx, ORDER_TIMEOUT_MS), instanceReads.values(), nodes.values(),
            autoscaleMap.entries(), provedNodes.refresh())
        .compose(all -> {
          if (!current.getAsBoolean()) {
            return Future.succeededFuture();
          }
          Snapshot snap = all.resultAt(0);
          List<InstanceInfo> observed = all.<List<JsonObject>>resultAt(1).stream().map(InstanceInfo::fromJson).toList();
          List<NodeFacts> nodeFacts = all.<List<JsonObject>>resultAt(2).stream().map(NodeFacts::fromJson).toList();
          List<Future<?>> work = new ArrayList<>();
          // an autoscaled deployment runs at its scaler's count
          Map<String, Integer> counts = autoscaler.counts(snap.deployments(), all.resultAt(3), blocked,
              System.currentTimeMillis(), work);
          Round r = Round.decide(snap, observed, nodeFacts, members, counts, ordered);
          ordered.retainAll(observed.stream().map(InstanceInfo::id).collect(Collectors.toSet()));
          forgetTheDeparted(r, work);
          work.add(forgetUnreadable(members));
          Placement.Plan plan = r.plan();
          blocked = plan.unplaceable();
          if (!plan.spawns().isEmpty() || !plan.stops().isEmpty()) {
            LOG.info("placement: {} to spawn, {} to stop", plan.spawns().size(), plan.stops().size());
          }
          Map<String, String> nodeNames = nodeFacts.stream().collect(Collectors.toMap(NodeFacts::nodeId,
              NodeFacts::name, (a, b) -> a));
          for (Placement.Spawn s : plan.spawns()) {
            work.add(spawn(r.deployments().get(s.deployment()), s, nodeNames.get(s.node())));
          }
          for (String id : plan.stops()) {
            work.add(stop(r.byId().get(id)));
          }
          for (String id : r.orphans()) {
            InstanceInfo orphan = r.byId().get(id);
            LOG.info("instance {} was placed by an earlier leader and never started: ordering it again", id);
            work.add(order(r.deployments().get(orphan.deploymentKey()), orphan));
          }
          report(r, work);
          if (!plan.spawns().isEmpty() || !plan.stops().isEmpty() || !r.orphans().isEmpty()
              || !r.departed().isEmpty()) {
            instanceReads.changed(); // this round's own writes and removals: the next round reads them
          }
          return Future.join(work).mapEmpty();
        });
  }

  /**
   * Removes the node entries no node can use: of members that left, written in a version this node does not read
   * (a node that could not join) or by no node at all.
   */
  private Future<Void> forgetUnreadable(Set<String> members) {
    return provedNodes.map().rawKeys().compose(keys -> {
      // membership read again: a node that joined since the round began has just written its entry
      Set<String> now = new HashSet<>(((io.vertx.core.internal.VertxInternal) vertx).clusterManager().getNodes());
      List<Future<?>> gone = new ArrayList<>();
      keys.stream().filter(k -> !members.contains(k) && !now.contains(k)).forEach(k -> gone.add(nodes.remove(k)));
      return Future.join(gone).mapEmpty();
    });
  }

  /** Removes the instances and node entries of members that left. */
  private void forgetTheDeparted(Round r, List<Future<?>> work) {
    for (InstanceInfo i : r.departed()) {
      work.add(instances.remove(i.id()).onSuccess(v -> publish(i.with(InstanceState.Gone, null))));
    }
    for (String node : r.departedNodes()) {
      work.add(nodes.remove(node));
    }
  }

  /** The instance is written to the map before the order, so a leader that dies in between leaves an orphan. */
  private Future<Void> spawn(DeploymentDoc d, Placement.Spawn s, String nodeName) {
    InstanceInfo inst = new InstanceInfo(d.name() + "-" + UUID.randomUUID().toString().substring(0, 8), d.endpoint(),
        d.name(), s.version(), s.node(), nodeName, InstanceState.Provisioning, null, null);
    ordered.add(inst.id());
    return instances.put(inst.id(), inst.toJson()).compose(v -> order(d, inst));
  }

  /** A refused or undelivered order removes the entry: the next round places the instance again. */
  private Future<Void> order(DeploymentDoc d, InstanceInfo inst) {
    ordered.add(inst.id());
    return vertx.eventBus().<JsonObject>request(Addresses.supervisor(inst.nodeId()),
            new SupervisorOrders.Spawn(inst, d).toJson(), new DeliveryOptions().setSendTimeout(ORDER_TIMEOUT_MS))
        .compose(r -> SupervisorOrders.Spawned.fromJson(r.body()).accepted() ? Future.<Void>succeededFuture()
            : Future.<Void>failedFuture("refused"))
        .recover(err -> instances.remove(inst.id()).mapEmpty());
  }

  /** An order its node does not know (the instance is already gone) removes the stale entry. */
  private Future<Void> stop(InstanceInfo inst) {
    ordered.add(inst.id());
    return vertx.eventBus().<JsonObject>request(Addresses.supervisor(inst.nodeId()),
            new SupervisorOrders.Stop(inst.id()).toJson(), new DeliveryOptions().setSendTimeout(ORDER_TIMEOUT_MS))
        .compose(r -> SupervisorOrders.Stopped.fromJson(r.body()).known() ? Future.<Void>succeededFuture()
            : instances.remove(inst.id()).onSuccess(v -> publish(inst.with(InstanceState.Gone, null))).<Void>mapEmpty())
        .recover(err -> Future.succeededFuture());
  }

  /** Settles Creating/Updating deployments as Succeeded or Failed, and finishes deletions. */
  private void report(Round r, List<Future<?>> work) {
    for (DeploymentDoc d : r.deployments().values()) {
      if (r.deleted().contains(d.key())) {
        work.add(tell(new JsonObject().put(Ops.OP, Ops.DEPLOYMENT_DELETED).put("endpoint", d.endpoint())
            .put("name", d.name())));
        continue;
      }
      if (d.state() == ProvisioningState.Deleting) {
        continue;
      }
      if (!d.state().settling()) {
        reported.remove(d.key());
        continue;
      }
      Outcomes.Settled s = r.outcomes().get(d.key());
      String tag = s == null ? null : d.specVersion() + "/" + s.state() + "/" + s.reason();
      if (s != null && !Outcomes.alreadyStored(d, s) && !tag.equals(reported.get(d.key()))) {
        reported.put(d.key(), tag);
        work.add(tell(new JsonObject().put(Ops.OP, Ops.DEPLOYMENT_STATE).put("endpoint", d.endpoint())
            .put("name", d.name()).put("spec_version", d.specVersion()).put("state", s.state().name())
            .put("reason", s.reason())).onFailure(err -> reported.remove(d.key())));
      }
    }
  }

  private Future<JsonObject> tell(JsonObject op) {
    return ControlPlane.internal(vertx, op, ORDER_TIMEOUT_MS);
  }

  private void publish(InstanceInfo inst) {
    io.sluice.protocol.InstanceEvents.publish(vertx, inst);
  }
}
