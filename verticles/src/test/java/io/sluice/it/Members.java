package io.sluice.it;

import io.sluice.auth.EntryProof;
import io.sluice.node.ClusterSetup;
import io.sluice.protocol.Addresses;
import io.sluice.protocol.NodeFacts;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Plain cluster members (a Hazelcast member with a clustered Vert.x, no store), as an attacker or an app runs one. */
final class Members {
  private Members() {
  }

  /** A member of {@code cluster} on loopback, with the given event-bus options (TLS or not). */
  static Vertx join(String cluster, EventBusOptions bus) throws Exception {
    return Vertx.builder().with(new VertxOptions().setEventBusOptions(bus.setHost("127.0.0.1")))
        .withClusterManager(new HazelcastClusterManager(ClusterSetup.hazelcast(null, cluster, List.of())))
        .buildClustered().await(60, TimeUnit.SECONDS);
  }

  static String id(Vertx member) {
    return ((VertxInternal) member).clusterManager().getNodeId();
  }

  /** What a member that poses as a router node writes into the node map: its id, its event-bus address. */
  static JsonObject facts(Vertx member, String name) {
    NodeInfo bus = ((VertxInternal) member).clusterManager().getNodeInfo();
    String id = id(member);
    return new NodeFacts(id, name, "http://127.0.0.1:1", List.of("router", "scorer-host"), List.of("*"), 64, false,
        List.of("*"), Long.MAX_VALUE, Long.MAX_VALUE, "", bus.host() + ":" + bus.port()).toJson();
  }

  /**
   * Writes the member's node-map entry sealed with {@code adminToken}, as a node does: what only a holder of the
   * admin token can do (to show what TLS alone still refuses to such a member).
   */
  static void writeProvedEntry(Vertx member, String adminToken, String name) throws Exception {
    member.sharedData().<String, JsonObject>getClusterWideMap(Addresses.NODES_MAP).await(20, TimeUnit.SECONDS)
        .put(id(member), new EntryProof(adminToken).seal(Addresses.NODES_MAP, id(member), facts(member, name),
            io.sluice.protocol.ProtocolVersion.CURRENT))
        .await(20, TimeUnit.SECONDS);
  }
}
