package io.sluice.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * One node as the cluster sees it: the value of {@link Addresses#NODES_MAP}, written by the node's own supervisor
 * (and marked {@code leaving} on SIGTERM); read by the leader (placement), the endpoint-manager (is an
 * instance_type offered?), {@link Routers} (which nodes route) and routers (where each node's scoring channel is:
 * {@code channel}, "host:port", empty when it has none). {@code capacity} is 0 without the scorer-host role.
 * {@code bus} is the node's event-bus "host:port": other nodes connect there, never where Vert.x's own (unproved)
 * node-info map says ({@code node.ProvedClusterManager}). {@code release}: the software ("0.1.0 (abc1234)");
 * {@code protocol}: the node's {@link ProtocolVersion}.
 */
public record NodeFacts(String nodeId, String name, String url, List<String> roles, List<String> instanceTypes,
                        int capacity, boolean leaving, List<String> computes, long cpuMillis, long memoryBytes,
                        String channel, String bus, String release, int protocol) {

  public NodeFacts(String nodeId, String name, String url, List<String> roles, List<String> instanceTypes,
                   int capacity, boolean leaving, List<String> computes, long cpuMillis, long memoryBytes,
                   String channel, String bus) {
    this(nodeId, name, url, roles, instanceTypes, capacity, leaving, computes, cpuMillis, memoryBytes, channel, bus,
        "", ProtocolVersion.CURRENT);
  }

  /** A node that offers every compute and declares no cpu or memory (nothing is counted against them). */
  public NodeFacts(String nodeId, String name, String url, List<String> roles, List<String> instanceTypes,
                   int capacity, boolean leaving) {
    this(nodeId, name, url, roles, instanceTypes, capacity, leaving, List.of("*"), Long.MAX_VALUE, Long.MAX_VALUE,
        "", "");
  }

  public static NodeFacts fromJson(JsonObject j) {
    List<String> computes = strings(j.getJsonArray("computes"));
    return new NodeFacts(j.getString("node_id"), j.getString("name"), j.getString("url"),
        strings(j.getJsonArray("roles")), strings(j.getJsonArray("instance_types")), j.getInteger("capacity", 0),
        j.getBoolean("leaving", false), computes.isEmpty() ? List.of("*") : computes,
        j.getLong("cpu_millis", Long.MAX_VALUE), j.getLong("memory_bytes", Long.MAX_VALUE), j.getString("channel", ""),
        j.getString("bus", ""), j.getString("release", ""), j.getInteger("protocol", ProtocolVersion.CURRENT));
  }

  private static List<String> strings(JsonArray a) {
    List<String> out = new ArrayList<>();
    if (a != null) {
      a.forEach(o -> out.add(String.valueOf(o)));
    }
    return out;
  }

  public JsonObject toJson() {
    return new JsonObject().put("node_id", nodeId).put("name", name).put("url", url).put("roles", new JsonArray(roles))
        .put("instance_types", new JsonArray(instanceTypes)).put("capacity", capacity).put("leaving", leaving)
        .put("computes", new JsonArray(computes)).put("cpu_millis", cpuMillis).put("memory_bytes", memoryBytes)
        .put("channel", channel).put("bus", bus).put("release", release).put("protocol", protocol);
  }

  /** Whether the node has a role (nodes that list none have all of them). */
  public boolean has(String role) {
    return roles.isEmpty() || roles.contains(role);
  }

  /** Whether new instances may be placed here. */
  public boolean hosts() {
    return capacity > 0 && !leaving;
  }

  public NodeFacts leavingNow() {
    return new NodeFacts(nodeId, name, url, roles, instanceTypes, capacity, true, computes, cpuMillis, memoryBytes,
        channel, bus, release, protocol);
  }
}
