package io.sluice.auth;

import io.sluice.protocol.NodeFacts;
import io.sluice.protocol.ProtocolVersion;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's protocol versions: the one it is ({@link #own}), the one it writes now (the lowest of the nodes it can
 * talk to, {@link ProtocolVersion#writes}), and the nodes it met that it cannot talk to. Only what a node proved is
 * recorded (a message or entry whose proof held), at most {@link #MAX_MET} of them and each for a minute, so an
 * outsider cannot grow it. Shown in the log, {@code /healthz} and {@code node list}.
 */
public final class Versions {
  private static final Logger LOG = LoggerFactory.getLogger(Versions.class);
  private static final int MAX_MET = 64;
  private static final long FORGET_MS = 60_000;

  private final int own;
  private volatile int writing;
  /** node id -> what it wrote and when it was last seen. */
  private final Map<String, Met> met = new ConcurrentHashMap<>();

  /** A node that wrote a version this node does not read; {@code name} when its node-map entry said it. */
  public record Met(String nodeId, String name, int protocol, long atMs) {
    public JsonObject toJson() {
      return new JsonObject().put("node_id", nodeId).put("name", name).put("protocol", protocol)
          .put("seen_at_ms", atMs);
    }
  }

  public Versions(int own) {
    this.own = own;
    this.writing = own;
  }

  public int own() {
    return own;
  }

  /** The version this node writes now. */
  public int writing() {
    return writing;
  }

  public boolean reads(int v) {
    return ProtocolVersion.reads(own, v);
  }

  /** The proved nodes changed: write the lowest version among them that this node can talk to. */
  public void peers(List<NodeFacts> nodes) {
    int next = ProtocolVersion.writes(own, nodes.stream().map(NodeFacts::protocol).toList());
    if (next != writing) {
      LOG.info("protocol: this node (version {}) now writes version {}", own, next);
      writing = next;
    }
  }

  /**
   * A proved message or node-map entry of node {@code nodeId} ({@code name} when known, else null) in version
   * {@code v}: true when this node reads it; otherwise it is recorded (logged the first time) and false.
   */
  public boolean accept(String nodeId, String name, int v) {
    if (reads(v)) {
      return true;
    }
    long now = System.currentTimeMillis();
    met.values().removeIf(m -> now - m.atMs() > FORGET_MS);
    if (met.size() < MAX_MET || met.containsKey(nodeId)) {
      Met was = met.get(nodeId);
      met.put(nodeId, new Met(nodeId, name != null ? name : was == null ? null : was.name(), v, now));
      if (was == null) {
        LOG.error("protocol: node {} writes version {}; this node is version {} and reads {}: they cannot talk. "
            + "Upgrade one release at a time (docs/operations.md, Upgrades)", name != null ? name : nodeId, v, own,
            ProtocolVersion.range(own));
      }
    }
    return false;
  }

  /** The nodes met lately that this node cannot talk to. */
  public List<Met> incompatible() {
    long now = System.currentTimeMillis();
    return met.values().stream().filter(m -> now - m.atMs() <= FORGET_MS).sorted(java.util.Comparator.comparing(Met::nodeId))
        .toList();
  }

  /** For /healthz: what this node is, writes, reads, and whom it cannot talk to. */
  public JsonObject describe() {
    JsonArray bad = new JsonArray();
    incompatible().forEach(m -> bad.add(m.toJson()));
    return new JsonObject().put("version", own).put("writes", writing).put("reads", ProtocolVersion.range(own))
        .put("incompatible", bad);
  }
}
