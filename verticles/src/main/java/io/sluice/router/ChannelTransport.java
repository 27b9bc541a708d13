package io.sluice.router;

import io.sluice.channel.ChannelHandshake;
import io.sluice.protocol.NodeFacts;
import io.sluice.protocol.Answer;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Instances on other nodes, through their node's scoring channel: one connection per node, opened when a request
 * first goes there (that request and any until the handshake is done take the event bus), and kept. Where the
 * channels are comes from the node map, read every {@link Timing#refreshMs}; a node whose channel cannot be reached
 * is tried again after {@link Timing#retryMs}, and meanwhile the event bus carries its requests. Runs on the router's
 * event loop only.
 */
final class ChannelTransport implements ScorerTransport {
  /** How often the node map is read, how long a failed node is left, how long a listener has to prove itself. */
  record Timing(long refreshMs, long retryMs, long handshakeMs) {
    static final Timing DEFAULT = new Timing(2000, 2000, 5000);
  }

  private final Timing timing;

  private final Vertx vertx;
  private final ChannelHandshake handshake;
  private final NetClient client;
  /** The node map's entries (NodeFacts as JSON), read every refreshMs. */
  private final java.util.function.Supplier<io.vertx.core.Future<java.util.List<JsonObject>>> nodeList;
  /** node id → "host:port" of its channel, from the node map. */
  private Map<String, String> directory = Map.of();
  private final Map<String, ChannelConnection> connections = new HashMap<>();
  /** node id → when a failed node may be tried again (System.nanoTime()). */
  private final Map<String, Long> retryAt = new HashMap<>();
  private long timer = -1;

  /** Call on the router's event loop: the client's connections belong to it. */
  ChannelTransport(Vertx vertx, ChannelHandshake handshake, NetClientOptions options,
                   java.util.function.Supplier<io.vertx.core.Future<java.util.List<JsonObject>>> nodeList) {
    this(vertx, handshake, options, nodeList, Timing.DEFAULT);
  }

  ChannelTransport(Vertx vertx, ChannelHandshake handshake, NetClientOptions options,
                   java.util.function.Supplier<io.vertx.core.Future<java.util.List<JsonObject>>> nodeList,
                   Timing timing) {
    this.timing = timing;
    this.vertx = vertx;
    this.nodeList = nodeList;
    this.handshake = handshake;
    this.client = vertx.createNetClient(options);
  }

  void start() {
    refresh();
    timer = vertx.setPeriodic(timing.refreshMs(), t -> refresh());
  }

  @Override
  public boolean reaches(Call call) {
    String node = call.node();
    ChannelConnection c = connections.get(node);
    if (c != null) {
      return c.ready();
    }
    String address = node == null ? null : directory.get(node);
    if (address != null) {
      Long retry = retryAt.get(node);
      if (retry == null || System.nanoTime() - retry >= 0) {
        connect(node, address);
      }
    }
    return false;
  }

  @Override
  public void call(Call call, Handler<Answer> done) {
    ChannelConnection c = connections.get(call.node());
    if (c == null) {
      done.handle(new Answer.NeverRan("no channel to node " + call.node()));
      return;
    }
    calls++;
    c.call(call, done);
  }

  /** Calls sent so far (a plain field of the event loop; the metrics scrape reads a value at most a moment old). */
  long calls() {
    return calls;
  }

  private long calls;

  private void connect(String node, String address) {
    ChannelConnection c = new ChannelConnection(vertx, node, address, handshake, timing.handshakeMs());
    connections.put(node, c);
    retryAt.remove(node);
    c.open(client, changed -> {
      if (changed.closed() && connections.get(node) == changed) {
        connections.remove(node);
        retryAt.put(node, System.nanoTime() + timing.retryMs() * 1_000_000);
      }
      readyCount = (int) connections.values().stream().filter(ChannelConnection::ready).count();
    });
  }

  /** The channels' addresses from the node map; connections to nodes gone or moved are closed. */
  private void refresh() {
    nodeList.get().onSuccess(all -> {
          Map<String, String> now = new HashMap<>();
          for (JsonObject j : all) {
            NodeFacts n = NodeFacts.fromJson(j);
            if (n.channel() != null && !n.channel().isEmpty()) {
              now.put(n.nodeId(), n.channel());
            }
          }
          directory = now;
          java.util.List<ChannelConnection> stale = connections.values().stream()
              .filter(c -> !c.address.equals(now.get(c.node))).toList();
          stale.forEach(c -> {
            connections.remove(c.node);
            c.close();
          });
          retryAt.keySet().retainAll(now.keySet());
        });
  }

  /** Connections that are ready now (for the {@code sluice_channels} gauge; read from the metrics thread). */
  int ready() {
    return readyCount;
  }

  private volatile int readyCount;

  void stop() {
    vertx.cancelTimer(timer);
    List.copyOf(connections.values()).forEach(ChannelConnection::close);
    client.close();
  }
}
