package io.sluice.node;

import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;

/**
 * TLS from node config, with Vert.x's own options (PEM files):
 * <pre>
 * tls:
 *   http:      {cert: server.pem, key: server-key.pem}              # HTTPS for scoring and /api/
 *   event_bus: {cert: node.pem, key: node-key.pem, trust: ca.pem}   # mutual TLS between nodes
 * </pre>
 * Off when the files are not given. Hazelcast's own membership traffic is not encrypted (that is a Hazelcast
 * Enterprise feature): keep the cluster network trusted.
 */
public final class Tls {
  private Tls() {
  }

  public static boolean http(JsonObject conf) {
    return !NodeConfig.str(conf, "tls.http.cert", "").isEmpty();
  }

  public static HttpServerOptions httpServer(JsonObject conf) {
    HttpServerOptions o = new HttpServerOptions().setCompressionSupported(false);
    if (http(conf)) {
      o.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(NodeConfig.str(conf, "tls.http.cert", ""))
          .setKeyPath(NodeConfig.str(conf, "tls.http.key", "")));
    }
    return o;
  }

  public static EventBusOptions eventBus(JsonObject conf, EventBusOptions o) {
    String cert = NodeConfig.str(conf, "tls.event_bus.cert", "");
    if (cert.isEmpty()) {
      return o;
    }
    return o.setSsl(true).setClientAuth(ClientAuth.REQUIRED)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert).setKeyPath(NodeConfig.str(conf, "tls.event_bus.key",
            "")))
        .setTrustOptions(new PemTrustOptions().addCertPath(NodeConfig.str(conf, "tls.event_bus.trust", cert)));
  }
}
