package io.sluice.node;

import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * TLS from node config, with Vert.x's own options (PEM files):
 * <pre>
 * tls:
 *   cluster_dir: /etc/sluice/cluster-tls   # the one switch for mutual TLS between nodes: ca.pem, node.pem,
 *                                           # node-key.pem (scripts/cluster-ca.sh makes them)
 *   http:      {cert: server.pem, key: server-key.pem, trust: ""}   # HTTPS for scoring and /api/; trust: the CA
 *                                                                   # of the routers' certificates, for a node's
 *                                                                   # own calls to them (default: cert itself)
 *   event_bus: {cert: node.pem, key: node-key.pem, trust: ca.pem}   # mutual TLS between nodes, file by file
 *   bridge:    {cert: bridge.pem, key: bridge-key.pem, trust: ""}   # TLS for applications; trust: client certs too
 * </pre>
 * Off when the files are not given. With mutual TLS on the event bus a member without a certificate from the CA
 * can neither send to the nodes nor receive from them. Hazelcast's own membership traffic is not encrypted (that
 * is a Hazelcast Enterprise feature): keep the cluster network private (docs/operations.md, trust model).
 */
public final class Tls {
  private Tls() {
  }

  public static boolean http(JsonObject conf) {
    return !NodeConfig.str(conf, "tls.http.cert", "").isEmpty();
  }

  public static HttpServerOptions httpServer(JsonObject conf) {
    // no WebSocket is served here: without its compression options Vert.x leaves the WebSocket extension handler out
    // of every connection's pipeline (it looked at every request and response)
    HttpServerOptions o = new HttpServerOptions().setCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false).setPerMessageWebSocketCompressionSupported(false);
    if (http(conf)) {
      o.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(NodeConfig.str(conf, "tls.http.cert", ""))
          .setKeyPath(NodeConfig.str(conf, "tls.http.key", "")));
    }
    return o;
  }

  /**
   * A node's own HTTP calls to the routers (a rollout's replay goes through a router like any client): with HTTPS
   * on, the routers' certificates are checked against {@code tls.http.trust}, else against this node's own
   * {@code tls.http.cert} (the nodes share one certificate, or it is the chain up to their CA), host name included.
   */
  public static HttpClientOptions routerClient(JsonObject conf, HttpClientOptions o) {
    if (!http(conf)) {
      return o;
    }
    String trust = NodeConfig.str(conf, "tls.http.trust", "");
    return o.setTrustOptions(new PemTrustOptions().addCertPath(trust.isEmpty()
        ? NodeConfig.str(conf, "tls.http.cert", "") : trust));
  }

  public static NetServerOptions bridgeServer(JsonObject conf) {
    NetServerOptions o = new NetServerOptions();
    String cert = NodeConfig.str(conf, "tls.bridge.cert", "");
    if (cert.isEmpty()) {
      return o;
    }
    o.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert)
        .setKeyPath(NodeConfig.str(conf, "tls.bridge.key", "")));
    String trust = NodeConfig.str(conf, "tls.bridge.trust", "");
    if (!trust.isEmpty()) {
      o.setClientAuth(ClientAuth.REQUIRED).setTrustOptions(new PemTrustOptions().addCertPath(trust));
    }
    return o;
  }

  /** Mutual TLS between nodes: from tls.cluster_dir when given, else from the tls.event_bus files. */
  public static EventBusOptions eventBus(JsonObject conf, EventBusOptions o) {
    String[] f = clusterFiles(conf);
    if (f == null) {
      return o;
    }
    // both ends check: the server asks for a client certificate, and the client (Vert.x's event-bus client trusts
    // any server by default: EventBusOptions.DEFAULT_TRUST_ALL) checks the server's against the cluster CA
    return o.setSsl(true).setClientAuth(ClientAuth.REQUIRED).setTrustAll(false).setKeyCertOptions(keyCert(f))
        .setTrustOptions(trust(f));
  }

  /** The scoring channel's server: the same mutual TLS as the event bus (nodes only), when that is on. */
  public static NetServerOptions channelServer(JsonObject conf, NetServerOptions o) {
    String[] f = clusterFiles(conf);
    if (f == null) {
      return o;
    }
    return o.setSsl(true).setClientAuth(ClientAuth.REQUIRED).setKeyCertOptions(keyCert(f)).setTrustOptions(trust(f));
  }

  /**
   * The scoring channel's client. Peers are authenticated by the cluster CA (and by the channel's handshake), as on
   * the event bus: no host-name check, since node certificates need not name the addresses nodes listen on.
   */
  public static NetClientOptions channelClient(JsonObject conf, NetClientOptions o) {
    String[] f = clusterFiles(conf);
    if (f == null) {
      return o;
    }
    return o.setSsl(true).setTrustAll(false).setHostnameVerificationAlgorithm("").setKeyCertOptions(keyCert(f))
        .setTrustOptions(trust(f));
  }

  private static PemKeyCertOptions keyCert(String[] f) {
    return new PemKeyCertOptions().setCertPath(f[0]).setKeyPath(f[1]);
  }

  private static PemTrustOptions trust(String[] f) {
    return new PemTrustOptions().addCertPath(f[2]);
  }

  /** cert, key and CA of mutual TLS between nodes, or null when it is off. */
  private static String[] clusterFiles(JsonObject conf) {
    String dir = NodeConfig.str(conf, "tls.cluster_dir", "");
    if (!dir.isEmpty()) {
      Path d = Path.of(dir);
      for (String f : new String[] {"ca.pem", "node.pem", "node-key.pem"}) {
        if (!Files.isReadable(d.resolve(f))) {
          throw new IllegalArgumentException("tls.cluster_dir: " + d.resolve(f) + " is missing or unreadable "
              + "(scripts/cluster-ca.sh makes ca.pem, node.pem and node-key.pem)");
        }
      }
      return new String[] {d.resolve("node.pem").toString(), d.resolve("node-key.pem").toString(),
          d.resolve("ca.pem").toString()};
    }
    String cert = NodeConfig.str(conf, "tls.event_bus.cert", "");
    if (cert.isEmpty()) {
      return null;
    }
    return new String[] {cert, NodeConfig.str(conf, "tls.event_bus.key", ""),
        NodeConfig.str(conf, "tls.event_bus.trust", cert)};
  }
}
