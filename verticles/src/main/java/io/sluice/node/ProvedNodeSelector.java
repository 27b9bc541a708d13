package io.sluice.node;

import io.sluice.auth.ProvedNodes;
import io.vertx.core.Completable;
import io.vertx.core.eventbus.impl.clustered.DefaultNodeSelector;
import io.vertx.core.eventbus.impl.clustered.NodeSelector;
import io.vertx.core.spi.cluster.ClusteredNode;
import io.vertx.core.spi.cluster.RegistrationUpdateEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where the event bus sends and publishes: Vert.x's own choice of the members that registered a consumer on the
 * address, narrowed to proved nodes ({@link ProvedNodes}). Any member can register consumers on any address (the
 * registrations live in a Hazelcast map it can write); without this, a member that registered on
 * {@code sluice.endpoints.internal} or on a node's supervisor address would be sent a share of what nodes send
 * there, and every publish. A send goes round robin over the proved nodes that have a consumer (evenly, which
 * Vert.x's own weighting by consumer count does not do: docs/architecture.md). Vert.x offers no public way to plug
 * a selector in; {@code VertxBootstrapImpl.clusterNodeSelector} is the internal one (vertx-core 5.0.7).
 */
final class ProvedNodeSelector implements NodeSelector {
  private final DefaultNodeSelector vertxs = new DefaultNodeSelector();
  private final ProvedNodes nodes;
  private final AtomicInteger next = new AtomicInteger();
  private ClusteredNode cluster;

  ProvedNodeSelector(ProvedNodes nodes) {
    this.nodes = nodes;
  }

  @Override
  public void init(ClusteredNode clusterManager) {
    cluster = clusterManager;
    vertxs.init(clusterManager);
  }

  @Override
  public void eventBusStarted() {
    vertxs.eventBusStarted();
  }

  @Override
  public void selectForSend(String address, Completable<String> promise) {
    vertxs.selectForPublish(address, (ids, err) -> {
      if (err != null) {
        promise.fail(err);
        return;
      }
      List<String> proved = proved(ids);
      promise.succeed(proved.isEmpty() ? null : proved.get(Math.floorMod(next.getAndIncrement(), proved.size())));
    });
  }

  @Override
  public void selectForPublish(String address, Completable<Iterable<String>> promise) {
    vertxs.selectForPublish(address, (ids, err) -> {
      if (err != null) {
        promise.fail(err);
      } else {
        promise.succeed(proved(ids));
      }
    });
  }

  private List<String> proved(Iterable<String> ids) {
    List<String> out = new ArrayList<>();
    if (ids != null) {
      ids.forEach(id -> {
        if (id.equals(cluster.getNodeId()) || nodes.isNode(id)) {
          out.add(id);
        }
      });
    }
    return out;
  }

  @Override
  public void registrationsUpdated(RegistrationUpdateEvent event) {
    vertxs.registrationsUpdated(event);
  }

  @Override
  public void registrationsLost() {
    vertxs.registrationsLost();
  }

  @Override
  public boolean wantsUpdatesFor(String address) {
    return vertxs.wantsUpdatesFor(address);
  }
}
