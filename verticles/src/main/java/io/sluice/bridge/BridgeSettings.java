package io.sluice.bridge;

import io.vertx.core.net.NetServerOptions;

/**
 * Where the bridge listens and what it bounds. {@code server} carries host, port and TLS (tls.bridge in the node
 * config); {@code maxTimeoutMs} caps how long a request may wait (the client's {@code headers.timeout} may be
 * shorter); {@code frameBudgetBytes} is what frames being read may hold, all connections together
 * ({@link io.sluice.protocol.FrameBudget}); a frame must be whole {@code frameTimeoutMs} after its length came; a
 * client that reads no answers for {@code writeStallMs} is closed.
 */
public record BridgeSettings(NetServerOptions server, int maxFrameBytes, int maxConnections, int maxInFlight,
                             long maxTimeoutMs, long frameBudgetBytes, long frameTimeoutMs, long writeStallMs) {

  public BridgeSettings {
    if (frameBudgetBytes < maxFrameBytes) {
      throw new IllegalArgumentException("bridge.frame_budget_bytes (" + frameBudgetBytes + ") must be at least "
          + "bridge.max_frame_bytes (" + maxFrameBytes + ")");
    }
  }
}
