package io.sluice.auth;

import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one node trusts, made once per node's Vert.x: the message guard, the map-entry proof, the proved nodes, the
 * protocol versions and the count of what was refused. Found by the node's {@link Vertx} ({@link #of}) so that every actor reads maps
 * and nodes the same proved way without each being handed the root secret.
 */
public final class ClusterTrust {
  private static final Map<Vertx, ClusterTrust> BY_VERTX = new ConcurrentHashMap<>();

  private final EntryProof entries;
  private final ProvedNodes nodes;
  private final Unproved unproved;
  private final Versions versions;
  private ControlGuard guard;

  public ClusterTrust(String rootSecret, ProvedNodes nodes, Unproved unproved, Versions versions) {
    this.entries = new EntryProof(rootSecret);
    this.nodes = nodes;
    this.unproved = unproved;
    this.versions = versions;
  }

  /**
   * Binds this trust to {@code vertx}: installs the message guard (before any actor starts) and registers it for
   * {@link #of}. {@code self}: the node's cluster node id.
   */
  public ClusterTrust install(Vertx vertx, String rootSecret, String self) {
    guard = ControlGuard.install(vertx, rootSecret, self, unproved, versions);
    BY_VERTX.put(vertx, this);
    return this;
  }

  /** Forgets {@code vertx} (its node stopped). */
  public static void uninstall(Vertx vertx) {
    BY_VERTX.remove(vertx);
  }

  public static ClusterTrust of(Vertx vertx) {
    ClusterTrust t = BY_VERTX.get(vertx);
    if (t == null) {
      throw new IllegalStateException("no cluster trust installed on this Vert.x (a node installs it at start)");
    }
    return t;
  }

  public EntryProof entries() {
    return entries;
  }

  public ProvedNodes nodes() {
    return nodes;
  }

  public Unproved unproved() {
    return unproved;
  }

  /** The protocol versions this node reads and writes, and the nodes it cannot talk to. */
  public Versions versions() {
    return versions;
  }

  public ControlGuard guard() {
    return guard;
  }
}
