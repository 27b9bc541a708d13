package io.sluice.channel;

import io.sluice.auth.Unproved;
import io.sluice.protocol.FrameBudget;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scoring channel's server, on every node that hosts scorers: routers on other nodes send scoring requests to
 * this node's instances over one kept-open TCP connection each, many requests in flight at once, instead of through
 * the clustered event bus (which copies each request into a message, registers a reply address and hands it across
 * four event loops). Requests reach the instances through {@link io.sluice.scoring.LocalInstances}, the door a
 * router in this JVM uses: the same admission, drain and refusal. Control traffic stays on the event bus.
 * Who may connect: nodes only ({@link ChannelHandshake}; and the cluster's mutual TLS when it is on).
 */
public final class ChannelVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ChannelVerticle.class);

  /**
   * The limits of one server: frames, connections, how long a connection may take to prove itself, what frames
   * being read may hold together ({@link FrameBudget}) and how long one may take once begun.
   */
  public record Settings(NetServerOptions server, long maxFrameBytes, int maxConnections, long handshakeTimeoutMs,
                         long frameBudgetBytes, long frameTimeoutMs) {
    public Settings {
      if (frameBudgetBytes < maxFrameBytes) {
        throw new IllegalArgumentException("channel.frame_budget_bytes (" + frameBudgetBytes + ") must be at least "
            + "the largest frame (" + maxFrameBytes + ": limits.max_body_bytes + 1 MiB)");
      }
    }

    /** The defaults of the budget and the frame deadline. */
    public Settings(NetServerOptions server, long maxFrameBytes, int maxConnections, long handshakeTimeoutMs) {
      this(server, maxFrameBytes, maxConnections, handshakeTimeoutMs, Math.max(256L << 20, maxFrameBytes), 30_000);
    }
  }

  private final Settings settings;
  private final ChannelHandshake handshake;
  private NetServer server;
  private FrameBudget budget;
  private int connections;

  private final String nodeId;

  private final Unproved unproved;
  private final io.sluice.scoring.LocalInstances locals;

  /**
   * {@code nodeId}: this node's cluster id, bound into the handshake with the address the server listens on;
   * {@code unproved} counts (and logs, at most once per 10 s) what strangers try before proving themselves.
   */
  public ChannelVerticle(Settings settings, ChannelHandshake handshake, String nodeId, Unproved unproved,
                         io.sluice.scoring.LocalInstances locals) {
    this.unproved = unproved;
    this.locals = locals;
    this.settings = settings;
    this.handshake = handshake;
    this.nodeId = nodeId;
  }

  /** "host:port", as published in this node's entry. */
  public String address() {
    return settings.server().getHost() + ":" + actualPort();
  }

  public int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> start() {
    budget = new FrameBudget(settings.frameBudgetBytes());
    return vertx.createNetServer(settings.server()).connectHandler(this::accept).listen()
        .onSuccess(s -> server = s);
  }

  private void accept(NetSocket socket) {
    if (connections >= settings.maxConnections()) {
      unproved.refused(Unproved.Kind.channel, "a connection from " + socket.remoteAddress() + ": " + connections
          + " open already");
      socket.close();
      return;
    }
    connections++;
    new ChannelSession(vertx, socket, handshake, settings, ChannelHandshake.identity(nodeId, address()), budget,
        () -> connections--, unproved, locals).start();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
