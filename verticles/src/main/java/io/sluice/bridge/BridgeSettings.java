package io.sluice.bridge;

import io.vertx.core.net.NetServerOptions;

/**
 * Where the bridge listens and what it bounds. {@code server} carries host, port and TLS (tls.bridge in the node
 * config); {@code maxTimeoutMs} caps how long a request may wait (the client's {@code headers.timeout} may be
 * shorter).
 */
public record BridgeSettings(NetServerOptions server, int maxFrameBytes, int maxConnections, int maxInFlight,
                             long maxTimeoutMs) {
}
