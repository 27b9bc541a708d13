package io.sluice.router;

import io.sluice.auth.SignedMap;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.sluice.protocol.Addresses;
import io.sluice.protocol.ControlPlane;
import io.sluice.protocol.DesiredChange;
import io.sluice.protocol.Events;
import io.sluice.protocol.InstanceInfo;
import io.sluice.protocol.InstanceState;
import io.sluice.protocol.Snapshot;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this router's {@link RoutingTable} true: desired-state changes sent to {@code sluice.router.<node>}
 * (acknowledged, so the endpoint-manager knows when they are in force), instance events on {@code sluice.events},
 * Hazelcast's word that a member left (its instances are dropped at once), and a resync (the whole snapshot and
 * instance map) when something was missed: an instance event whose node's count jumped ({@link EventGaps}), a
 * published change this router was not sent, a member that joined (a healed split), and every 30 s whatever happened.
 * A resync costs every member a share of reading the whole instance map, so routers no longer resync every 2 s
 * (docs/capacity.md). Each change builds a new table, once per burst of events; the request path only reads
 * {@link #table()}. Runs on the router's event loop.
 */
final class RouteFollower {
  private static final Logger LOG = LoggerFactory.getLogger(RouteFollower.class);
  private static final long RESYNC_MS = 30_000;
  /** The published changes this router was sent directly: their notice needs no resync. */
  private static final int REMEMBERED_CHANGES = 256;

  private final Vertx vertx;
  private final Context context;
  private final String nodeId;
  private final Consumer<String> tokenPublicKey;
  private final Consumer<Iterable<InstanceInfo>> instancesSeen;
  /** Told of every table built (the router forgets the meters and counts of deployments that are gone). */
  private Consumer<RoutingTable> tableBuilt = t -> { };
  private RoutingTable table = RoutingTable.EMPTY;
  private volatile Snapshot snapshot;
  private final ObservedInstances observed = new ObservedInstances();
  private AsyncMap<String, JsonObject> instancesMap;
  private UUID membershipListener;
  private long timer = -1;
  private long gapTimer = -1;
  private boolean refreshing;
  private boolean refreshAgain;
  private boolean rebuildPending;
  /** How long the last table build took: a slow one paces the next ({@link #rebuildSoon}). */
  private long lastBuildNanos;
  private boolean seenPending;
  private final EventGaps gaps = new EventGaps();
  private final java.util.Set<String> appliedChanges = java.util.Collections.newSetFromMap(
      new java.util.LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, Boolean> eldest) {
          return size() > REMEMBERED_CHANGES;
        }
      });
  /** Events that arrive while a resync is in flight are replayed on top of its answer. */
  private final ResyncReplay<JsonObject> sinceResync = new ResyncReplay<>(10_000);

  /** {@code tokenPublicKey} gets the public half of the token-signing key; {@code instancesSeen} every new view of the instances. */
  RouteFollower(Vertx vertx, Context context, String nodeId, Consumer<String> tokenPublicKey,
                Consumer<Iterable<InstanceInfo>> instancesSeen) {
    this.vertx = vertx;
    this.context = context;
    this.nodeId = nodeId;
    this.tokenPublicKey = tokenPublicKey;
    this.instancesSeen = instancesSeen;
  }

  RoutingTable table() {
    return table;
  }

  /** Starts following; completes after the first resync was tried (a node may start before any control plane). */
  Future<Void> start() {
    return SignedMap.of(vertx, Addresses.INSTANCES_MAP).compose(m -> {
      instancesMap = m; // before anything can ask for a resync
      follow();
      return refreshNow().timeout(10, TimeUnit.SECONDS).recover(err -> Future.succeededFuture());
    });
  }

  private void follow() {
    vertx.eventBus().<JsonObject>consumer(Addresses.EVENTS, m -> event(m.body()));
    vertx.eventBus().<JsonObject>consumer(Addresses.router(nodeId), this::change);
    timer = vertx.setPeriodic(RESYNC_MS, t -> refresh());
    gapTimer = vertx.setPeriodic(EventGaps.GRACE_MS, t -> {
      if (gaps.overdue(System.currentTimeMillis())) {
        LOG.debug("an instance event never arrived: resync");
        refresh();
      }
    });
    membershipListener = hazelcast().getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent e) {
        context.runOnContext(x -> refresh()); // a healed split: what the other side did never reached this router
      }

      @Override
      public void memberRemoved(MembershipEvent e) {
        String gone = e.getMember().getAttribute("__vertx.nodeId");
        context.runOnContext(x -> {
          observed.nodeGone(gone);
          gaps.forget(gone);
          rebuild();
        });
      }
    });
  }

  void stop() {
    vertx.cancelTimer(timer);
    vertx.cancelTimer(gapTimer);
    if (membershipListener != null) {
      hazelcast().getCluster().removeMembershipListener(membershipListener);
    }
  }

  private HazelcastInstance hazelcast() {
    return ((HazelcastClusterManager) ((VertxInternal) vertx).clusterManager()).getHazelcastInstance();
  }

  /**
   * A change sent to this router in particular: applied, then acknowledged. A draining instance's replacement was
   * Ready in the instance map before the leader drained it, but its own Ready event comes from another node and may
   * arrive after this message: the draining instance's node sends the Ready instances it read from the map with it
   * (an older node sends none: the map is read here), so that after the acknowledgement this router knows the
   * replacement and never answers 503 in between.
   */
  private void change(Message<JsonObject> m) {
    JsonObject e = m.body();
    if (e.getString(Events.CHANGE) != null) {
      appliedChanges.add(e.getString(Events.CHANGE));
    }
    java.util.List<InstanceInfo> ready = Events.readySiblings(e);
    if (!(Events.INSTANCE.equals(e.getString(Events.TYPE))
        && Events.instanceOf(e).state() == InstanceState.Draining)) {
      applyAndAcknowledge(m);
    } else if (ready != null) {
      observed.merge(ready);
      applyAndAcknowledge(m);
    } else {
      instancesMap.values().timeout(1, TimeUnit.SECONDS).onComplete(ar -> {
        if (ar.succeeded()) {
          observed.merge(ar.result().stream().map(InstanceInfo::fromJson).toList());
        }
        applyAndAcknowledge(m);
      });
    }
  }

  /** The change in force in this router's table, then acknowledged. */
  private void applyAndAcknowledge(Message<JsonObject> m) {
    event(m.body());
    flush();
    m.reply(new JsonObject().put("applied", snapshot != null));
  }

  private void event(JsonObject e) {
    sinceResync.record(e);
    if (Events.INSTANCE.equals(e.getString(Events.TYPE))) {
      gaps.record(e, System.currentTimeMillis());
    }
    if (applyEvent(e)) {
      rebuildSoon();
    }
  }

  /** Applies one event to the view; true when the table must be rebuilt (a resync's replay rebuilds once). */
  private boolean applyEvent(JsonObject e) {
    String type = e.getString(Events.TYPE);
    if (Events.INSTANCE.equals(type)) {
      observed.event(Events.instanceOf(e));
      return true;
    }
    if (Events.DESIRED_CHANGED.equals(type)) {
      if (e.containsKey("document")) {
        return apply(DesiredChange.fromJson(e));
      }
      if (!appliedChanges.contains(e.getString(Events.CHANGE, ""))) {
        refresh(); // a change this router was not sent (it was cut off, or it is a drain): read it all
      }
    }
    return false;
  }

  /** Applies one endpoint's new desired state (sent by the endpoint-manager before it answers its caller). */
  private boolean apply(DesiredChange change) {
    if (snapshot == null) {
      return false; // the first resync brings it
    }
    snapshot = snapshot.with(change);
    return true;
  }

  /** The desired state as last read (null before the first resync). */
  Snapshot snapshot() {
    return snapshot;
  }

  void onTable(Consumer<RoutingTable> listener) {
    tableBuilt = listener;
  }

  /**
   * A rebuild after the events already queued on this event loop: a burst of instance events (a deployment of a
   * thousand instances becoming Ready) builds the table once, not once per event. A table that takes long to build
   * (a large cluster's: ~10,000 instances) waits ten times as long as the last build took, at most 500 ms, so that
   * instance events cannot keep a router's event loop building tables (docs/capacity.md); a change this router
   * acknowledges is built at once ({@link #flush}) whatever the wait.
   */
  private void rebuildSoon() {
    if (!rebuildPending) {
      rebuildPending = true;
      long waitMs = Math.min(500, lastBuildNanos * 10 / 1_000_000);
      if (waitMs == 0) {
        context.runOnContext(x -> flush());
      } else {
        vertx.setTimer(waitMs, t -> flush());
      }
    }
  }

  private void flush() {
    if (rebuildPending) {
      rebuild();
    }
  }

  private void rebuild() {
    rebuildPending = false;
    long began = System.nanoTime();
    if (snapshot != null) {
      table = RoutingTable.build(snapshot, observed.all(), table, nodeId);
      tableBuilt.accept(table);
    }
    lastBuildNanos = System.nanoTime() - began;
    seenSoon();
  }

  /** The instance gauges (sluice_instances) follow the view at most once a second: a scrape is not that frequent. */
  private void seenSoon() {
    if (!seenPending) {
      seenPending = true;
      vertx.setTimer(1000, t -> {
        seenPending = false;
        instancesSeen.accept(observed.all());
      });
    }
  }

  private void refresh() {
    if (refreshing) {
      refreshAgain = true;
      return;
    }
    refreshing = true;
    refreshNow().timeout(5, TimeUnit.SECONDS).onComplete(ar -> {
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
    gaps.resyncing();
    int ticket = sinceResync.begin();
    return Future.all(ControlPlane.snapshot(vertx, 10_000), instancesMap.values()).onFailure(err ->
        sinceResync.abandon(ticket)).map(all -> {
          List<JsonObject> replay = sinceResync.finish(ticket);
          if (replay == null) {
            refreshAgain = true; // too much happened meanwhile to replay: read again
            return null;
          }
          snapshot = all.resultAt(0);
          tokenPublicKey.accept(snapshot.tokenPublicKey());
          observed.replace(all.<List<JsonObject>>resultAt(1).stream().map(InstanceInfo::fromJson).toList());
          replay.forEach(this::applyEvent); // what arrived after the read (perhaps a little before: idempotent)
          rebuild(); // once, however many events were replayed
          return null;
        });
  }
}
