package io.sluice.node;

import com.hazelcast.config.Config;
import io.sluice.auth.ProvedNodes;
import io.sluice.protocol.NodeFacts;
import io.vertx.core.Completable;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Hazelcast's cluster manager, except where the event bus connects: to a proved node at the event-bus address
 * its own sealed entry names ({@link NodeFacts#bus}), not where Vert.x's node-info map says, which any member can
 * rewrite to put itself between two nodes. A member that is not a node is looked up as before: nodes connect to
 * one only to answer its request on {@code sluice.invoke}.
 */
final class ProvedClusterManager extends HazelcastClusterManager {
  private final ProvedNodes nodes;

  ProvedClusterManager(Config config, ProvedNodes nodes) {
    super(config);
    this.nodes = nodes;
  }

  @Override
  public void getNodeInfo(String nodeId, Completable<NodeInfo> promise) {
    NodeFacts f = nodes.get(nodeId);
    int colon = f == null ? -1 : f.bus().lastIndexOf(':');
    if (colon > 0) {
      try {
        promise.succeed(new NodeInfo(f.bus().substring(0, colon), Integer.parseInt(f.bus().substring(colon + 1)),
            null));
        return;
      } catch (NumberFormatException e) {
        // a node wrote a bad address: fall through to Vert.x's own map
      }
    }
    super.getNodeInfo(nodeId, promise);
  }
}
