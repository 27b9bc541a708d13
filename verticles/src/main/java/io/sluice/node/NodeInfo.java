package io.sluice.node;

import io.sluice.protocol.NodeFacts;
import io.sluice.protocol.NodeRoles;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What every actor of this node needs to know about it, resolved once at start-up from the node config.
 *
 * @param nodeId        the Vert.x cluster node id (changes at every start)
 * @param name          the stable node name (default {@code node-<http port>}); names its folder in SLUICE_HOME
 * @param home          SLUICE_HOME
 * @param publicUrl     the HTTP base URL clients use to reach this node
 * @param roles         what this node does ({@link io.sluice.protocol.NodeRoles})
 * @param instanceTypes the instance types this node offers ("*" = any)
 * @param capacity      how many scorer instances this node hosts at most
 * @param python        the default interpreter for score.py
 * @param pythonEnvs    environment name -> interpreter
 * @param leaveTimeoutMs on SIGTERM, how long to wait for this node's instances to be re-placed
 * @param spareWorkers  Python processes per instance kept started (init() done) to replace a failed worker at once
 * @param channel       "host:port" of this node's scoring channel; empty when it has none
 * @param bus           "host:port" of this node's event bus
 * @param protocol      the protocol version this node speaks ({@link io.sluice.protocol.ProtocolVersion})
 */
public record NodeInfo(String nodeId, String name, Path home, String publicUrl, List<String> roles,
                       List<String> instanceTypes, int capacity, String python, Map<String, String> pythonEnvs,
                       long leaveTimeoutMs, int spareWorkers, List<String> computes, long cpuMillis,
                       long memoryBytes, String channel, String bus, int protocol) {

  public boolean has(String role) {
    return roles.contains(role);
  }

  public Path nodeDir() {
    return home.resolve("nodes").resolve(name);
  }

  public String pythonFor(String environmentName) {
    if (environmentName != null && pythonEnvs.containsKey(environmentName)) {
      return pythonEnvs.get(environmentName);
    }
    return python;
  }

  /** This node as the cluster sees it (its entry in the node map). */
  public NodeFacts facts() {
    return new NodeFacts(nodeId, name, publicUrl, roles, instanceTypes, has(NodeRoles.SCORER_HOST) ? capacity : 0,
        false, computes, cpuMillis, memoryBytes, channel, bus, Release.describe(), protocol);
  }
}
