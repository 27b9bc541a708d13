package io.sluice.bridge;

import io.sluice.protocol.FrameBudget;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServer;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The applications' door to the data plane: a TCP server speaking the wire format of Vert.x's TCP event-bus bridge,
 * whose only permitted inbound address is {@code sluice.invoke} (replies come back). Applications never join the
 * cluster. It is not {@code TcpEventBusBridge} itself because that bridge buffers a frame of any announced length
 * (up to 2 GiB) from an unauthenticated client before looking at it; this one refuses a frame over the limit before
 * reading it, and bounds connections and open requests.
 */
public final class BridgeVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(BridgeVerticle.class);
  private final BridgeSettings settings;
  private final AtomicInteger connections = new AtomicInteger();
  private FrameBudget budget;
  private NetServer server;

  public BridgeVerticle(BridgeSettings settings) {
    this.settings = settings;
  }

  /** What frames being read hold now, all connections together. */
  public FrameBudget budget() {
    return budget;
  }

  public int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> start() {
    budget = new FrameBudget(settings.frameBudgetBytes());
    return vertx.createNetServer(settings.server()).connectHandler(socket -> {
      if (connections.incrementAndGet() > settings.maxConnections()) {
        connections.decrementAndGet();
        LOG.warn("bridge: refused a connection from {}: {} open already", socket.remoteAddress(),
            settings.maxConnections());
        socket.close();
        return;
      }
      new BridgeConnection(vertx, socket, settings, budget, connections::decrementAndGet);
    }).listen().onSuccess(s -> {
      server = s;
      LOG.info("event-bus bridge for applications on {}:{} (sluice.invoke only)", settings.server().getHost(),
          s.actualPort());
    });
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
