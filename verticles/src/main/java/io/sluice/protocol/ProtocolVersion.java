package io.sluice.protocol;

import java.util.Collection;

/**
 * The version of what travels between nodes: every event-bus message and reply a node proves, and every cluster-map
 * entry it seals, says which protocol version it is written in. A node of version N reads N and N-1 and writes the
 * lowest version any node it can talk to speaks (never below N-1), so nodes of two adjacent releases run side by
 * side during a rolling upgrade, and the cluster writes N only once every node speaks it. Two nodes more than one
 * version apart cannot talk: each refuses the other's words and says so (docs/operations.md, "Upgrades"). Pure.
 */
public final class ProtocolVersion {
  private ProtocolVersion() {
  }

  /** This release's version. 1: the first release that carries one (issue 24). */
  public static final int CURRENT = 1;
  /** The event-bus header that carries it (covered by the message's proof). */
  public static final String HEADER = "sluice-protocol";

  /** Whether a node of version {@code own} reads what is written in version {@code v}. */
  public static boolean reads(int own, int v) {
    return v == own || v == own - 1;
  }

  /** Whether nodes of these versions can talk (one writes what the other reads). */
  public static boolean compatible(int a, int b) {
    return Math.abs(a - b) <= 1;
  }

  /** What a node of version {@code own} writes: the lowest version of the nodes it can talk to, itself included. */
  public static int writes(int own, Collection<Integer> peers) {
    int v = own;
    for (int p : peers) {
      if (compatible(own, p)) {
        v = Math.min(v, p);
      }
    }
    return Math.max(v, own - 1);
  }

  /** "0-1": what a node of version {@code own} reads, for messages. */
  public static String range(int own) {
    return (own - 1) + "-" + own;
  }
}
