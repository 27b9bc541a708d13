package io.sluice.protocol;

import java.util.List;

/**
 * What a node does (config {@code node.roles}; all three by default). A node without {@link #SCORER_HOST} hosts
 * no instances; one without {@link #ROUTER} serves no scoring requests; one without {@link #CONTROL_PLANE} runs no
 * endpoint-manager and serves no {@code /api/}. Every node runs a supervisor (any node may become the leader).
 */
public final class NodeRoles {
  private NodeRoles() {
  }

  public static final String CONTROL_PLANE = "control-plane";
  public static final String ROUTER = "router";
  public static final String SCORER_HOST = "scorer-host";
  public static final List<String> ALL = List.of(CONTROL_PLANE, ROUTER, SCORER_HOST);
}
