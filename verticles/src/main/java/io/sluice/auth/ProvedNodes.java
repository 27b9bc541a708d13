package io.sluice.auth;

import io.sluice.protocol.Addresses;
import io.sluice.protocol.NodeFacts;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The nodes of the cluster: the members whose {@link Addresses#NODES_MAP} entry a node proved ({@link SignedMap}),
 * and nobody else. The event bus sends and publishes only to them ({@code node.ProvedNodeSelector}) and connects
 * to them only at the event-bus address their entry names ({@code node.ProvedClusterManager}); placement, routing
 * and the leader's election read them from here. Refreshed every 2 s and whenever a member comes or goes; a
 * member that writes itself into the map stays out; a node whose entry a member deleted or rewrote stays in (its last
 * proved facts) and writes its entry again at the next refresh.
 */
public final class ProvedNodes {
  /** Every node reads the whole node map this often: N reads of N entries, the one N x N term at rest (capacity.md). */
  private static final long REFRESH_MS = 2000;

  private volatile String self = "";
  private volatile Map<String, NodeFacts> nodes = Map.of();
  private volatile Vertx vertx;
  private SignedMap map;
  /** This node's own facts once published: written again whenever its proved entry is missing. */
  private volatile NodeFacts own;
  private Versions versions;

  /** Starts following the node map; completes after the first read. */
  public Future<Void> start(Vertx v) {
    this.vertx = v;
    this.self = ((VertxInternal) v).clusterManager().getNodeId();
    this.versions = ClusterTrust.of(v).versions();
    return SignedMap.of(v, Addresses.NODES_MAP).compose(m -> {
      map = m;
      // a member's entry in a version this node does not read: a node it cannot talk to, reported
      map.onUnreadable((id, entry) -> {
        if (((VertxInternal) v).clusterManager().getNodes().contains(id)) {
          versions.accept(id, entry.fact().getString("name"), entry.protocol());
        }
      });
      v.setPeriodic(REFRESH_MS, t -> refresh());
      return refresh().mapEmpty();
    });
  }

  /** Whether the event bus may send to {@code nodeId}: this node, or a proved one. */
  public boolean isNode(String nodeId) {
    return self.equals(nodeId) || nodes.containsKey(nodeId);
  }

  /** A proved node's facts, or null. */
  public NodeFacts get(String nodeId) {
    return nodes.get(nodeId);
  }

  /** The proved nodes as last read. */
  public List<NodeFacts> all() {
    return List.copyOf(nodes.values());
  }

  /**
   * The oldest cluster member that is a proved node (members are listed oldest first, the same on every node): the
   * supervisor leader, and the routers' load hub. Members that are not nodes, whatever they write into the node map,
   * are skipped. Empty before the first read.
   */
  public Optional<String> oldest() {
    Vertx v = vertx;
    Map<String, NodeFacts> proved = nodes;
    return v == null ? Optional.empty()
        : ((VertxInternal) v).clusterManager().getNodes().stream().filter(proved::containsKey).findFirst();
  }

  /** Reads the map again: the proved entries of current members, each under its own node id. */
  public Future<List<NodeFacts>> refresh() {
    if (map == null) {
      return Future.succeededFuture(all());
    }
    return map.entries().map(entries -> {
      Set<String> members = new HashSet<>(((VertxInternal) vertx).clusterManager().getNodes());
      Map<String, NodeFacts> next = new ConcurrentHashMap<>();
      entries.forEach((id, fact) -> {
        NodeFacts f = NodeFacts.fromJson(fact);
        if (id.equals(f.nodeId()) && members.contains(id)) {
          next.put(id, f);
        }
      });
      NodeFacts mine = own;
      if (mine != null && !next.containsKey(self)) { // deleted or overwritten by a member: say it again
        map.put(self, mine.toJson());
        next.put(self, mine);
      }
      // a member can delete or spoil a node's entry, not unmake the node: its last proved facts stand until a
      // proved entry replaces them or it leaves the cluster
      nodes.forEach((id, f) -> {
        if (members.contains(id)) {
          next.putIfAbsent(id, f);
        }
      });
      nodes = next;
      List<NodeFacts> all = List.copyOf(next.values());
      versions.peers(all); // write what every node here reads
      return all;
    });
  }

  /** Writes this node's entry, sealed, and takes it in at once. */
  public Future<Void> publish(NodeFacts facts) {
    own = facts;
    return map.put(facts.nodeId(), facts.toJson()).compose(v -> refresh()).mapEmpty();
  }

  /** This node is leaving the cluster: its entry is not to be written again. */
  public void withdraw() {
    own = null;
  }

  /** The raw-entry map this follows (sealed writes and proved reads). */
  public SignedMap map() {
    return map;
  }
}
