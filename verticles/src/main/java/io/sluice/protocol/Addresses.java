package io.sluice.protocol;

/**
 * Every event-bus address the actors use, in one place. Point-to-point addresses that name one node or one
 * instance are built here too, because clustered {@code send} must not be trusted to balance between nodes
 * (the router picks the instance itself: docs/architecture.md).
 */
public final class Addresses {
  private Addresses() {
  }

  /** Control-plane requests to the endpoint-manager (any node's). Body: JsonObject with {@link Ops} "op". */
  public static final String ENDPOINTS = "sluice.endpoints";

  /**
   * The endpoint-manager's internal door, for nodes only: the whole desired state ({@link Ops#SNAPSHOT}, keys
   * included) and the supervisor leader's reports ({@link Ops#DEPLOYMENT_STATE}, {@link Ops#DEPLOYMENT_DELETED}).
   * No REST route reaches it.
   */
  public static final String ENDPOINTS_INTERNAL = "sluice.endpoints.internal";

  /** Published facts: desired-state changes and instance state changes. Body: JsonObject with {@link Events} "type". */
  public static final String EVENTS = "sluice.events";

  /** Data-plane invocations from event-bus applications; same routing, auth and errors as HTTP. */
  public static final String INVOKE = "sluice.invoke";

  /**
   * Published by a load hub about once a second: the routers' reports it heard, merged ({@link LoadDigest}). Every
   * node's load picture adds them; rollout judging, autoscaling and the dashboard read that picture.
   */
  public static final String LOAD = "sluice.load";

  /**
   * The load hub on one node: every router sends it what it answered each second ({@link LoadReport}). Routers send
   * to the oldest node (the supervisor leader), which publishes one {@link LoadDigest} a second: 2N deliveries a
   * second in all, where every router publishing to every node cost N x N (docs/capacity.md).
   */
  public static String loadHub(String nodeId) {
    return LOAD + ".hub." + nodeId;
  }

  /** Orders from the supervisor leader (spawn/stop/logs) to the supervisor of one node. */
  public static String supervisor(String nodeId) {
    return "sluice.supervisor." + nodeId;
  }

  /**
   * The router of one node. The endpoint-manager sends it each desired-state change of an endpoint
   * ({@link DesiredChange}) and waits up to {@link Routers#ACK_TIMEOUT_MS} for the acknowledgement.
   */
  public static String router(String nodeId) {
    return "sluice.router." + nodeId;
  }

  /** One scorer instance. Body: the request bytes as a Buffer; headers carry the request id. */
  public static String scorer(String instanceId) {
    return SCORER_PREFIX + instanceId;
  }

  /**
   * Whether a message to {@code address} must carry a node's or the admin's proof ({@code auth.ControlGuard}): every
   * Sluice address, the scorers' included (a member may not have a request scored without a key). Not
   * {@link #INVOKE}: its callers prove a key or token, and the bridge lets applications reach it.
   */
  public static boolean needsProof(String address) {
    return address.startsWith("sluice.") && !address.equals(INVOKE);
  }

  private static final String SCORER_PREFIX = "sluice.scorer.";

  /** Cluster-wide map: instance id -> instance state (observed state, rebuilt by reconciling). */
  public static final String INSTANCES_MAP = "sluice.instances";

  /** Cluster-wide map: Vert.x node id -> node facts (name, http url, instance types, capacity). */
  public static final String NODES_MAP = "sluice.nodes";

  /**
   * Cluster map: "endpoint/deployment" → the autoscaler's state of an autoscaled deployment (count, the figures and
   * the reason of its last decision). Written by the supervisor leader; read by the next leader and by {@code show}.
   */
  public static final String AUTOSCALE_MAP = "sluice.autoscale";

  /** Cluster-wide lock that serialises drains and undrains (each judges room against the others). */
  public static final String NODES_LOCK = "sluice.lock.nodes";

  /** Cluster-wide lock that serialises control-plane changes to one endpoint. */
  public static String endpointLock(String endpoint) {
    return "sluice.lock.endpoint." + endpoint;
  }
}
