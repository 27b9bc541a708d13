package io.sluice.node;

import io.sluice.protocol.ProtocolVersion;
import io.sluice.scoring.ZipLimits;
import io.vertx.core.json.JsonObject;

/**
 * What a node's config says once defaults and the settings that follow from others are worked out: its name, the
 * hosts and ports it listens on, and the limits its actors take. Pure (reads the config only).
 */
final class NodeSettings {
  private final JsonObject conf;

  NodeSettings(JsonObject conf) {
    this.conf = conf;
  }

  /** cluster.host: where Hazelcast, the event bus and the embedded store's server listen (default loopback). */
  String clusterHost() {
    return NodeConfig.str(conf, "cluster.host", "127.0.0.1");
  }

  /** node-<port> on one machine; node-<address>-<port> when nodes sit on different hosts. */
  String nodeName() {
    int port = NodeConfig.integer(conf, "http.port", 8080);
    String clusterHost = clusterHost();
    return NodeConfig.str(conf, "node.name", clusterHost.startsWith("127.") ? "node-" + port
        : "node-" + clusterHost + "-" + port);
  }

  long loadRetentionSeconds() {
    return NodeConfig.integer(conf, "load.retention_seconds", 900);
  }

  /**
   * The protocol version this node speaks: this release's. {@code testing.protocol_version} runs it as another
   * release would (the rolling-upgrade tests start "the next release" this way); not for production.
   */
  int protocolVersion() {
    return NodeConfig.integer(conf, "testing.protocol_version", ProtocolVersion.CURRENT);
  }

  String registryName() {
    return "sluice-" + nodeName();
  }

  /** bridge.host; empty (the default): the HTTP host. */
  String bridgeBindHost() {
    String h = NodeConfig.str(conf, "bridge.host", "");
    return h.isEmpty() ? httpHost() : h;
  }

  /** Where clients on this machine reach the bridge (node.json): its host, or the cluster host for 0.0.0.0. */
  String bridgeHost() {
    return bridgeBindHost().equals("0.0.0.0") ? clusterHost() : bridgeBindHost();
  }

  /** What an uploaded folder may unpack to (checked on upload and again on every node that unpacks it). */
  ZipLimits zipLimits() {
    return new ZipLimits(NodeConfig.number(conf, "limits.max_unpacked_bytes", ZipLimits.DEFAULT.maxBytes()),
        NodeConfig.integer(conf, "limits.max_upload_entries", ZipLimits.DEFAULT.maxEntries()));
  }

  /** http.host; empty (the default): the cluster host, so a node told nothing listens on loopback only. */
  String httpHost() {
    String h = NodeConfig.str(conf, "http.host", "");
    return h.isEmpty() ? clusterHost() : h;
  }

  int httpPort() {
    return NodeConfig.integer(conf, "http.port", 8080);
  }
}
