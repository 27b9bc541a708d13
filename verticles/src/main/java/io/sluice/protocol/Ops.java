package io.sluice.protocol;

/**
 * The "op" values of messages sent to {@link Addresses#ENDPOINTS}, {@link Addresses#ENDPOINTS_INTERNAL} and
 * {@link Addresses#supervisor}.
 */
public final class Ops {
  private Ops() {
  }

  public static final String OP = "op";

  // endpoint-manager
  public static final String ENDPOINT_CREATE = "endpoint.create";
  public static final String ENDPOINT_UPDATE = "endpoint.update";
  public static final String ENDPOINT_GET = "endpoint.get";
  public static final String ENDPOINT_LIST = "endpoint.list";
  public static final String ENDPOINT_DELETE = "endpoint.delete";
  public static final String ENDPOINT_KEYS = "endpoint.keys";
  /** aml_token endpoints: a new access token (Azure's EndpointAuthToken). */
  public static final String ENDPOINT_TOKEN = "endpoint.token";
  public static final String ENDPOINT_REGENERATE_KEYS = "endpoint.regenerate-keys";
  public static final String DEPLOYMENT_CREATE = "deployment.create";
  public static final String DEPLOYMENT_UPDATE = "deployment.update";
  public static final String DEPLOYMENT_GET = "deployment.get";
  public static final String DEPLOYMENT_LIST = "deployment.list";
  public static final String DEPLOYMENT_DELETE = "deployment.delete";
  public static final String DEPLOYMENT_LOGS = "deployment.logs";
  /** get-collected-data: a collection's newest records from every node. */
  public static final String DEPLOYMENT_COLLECTED = "deployment.collected";
  /** Rollouts (the current or last one of an endpoint): start, show, pause, resume, abort. */
  public static final String ROLLOUT_START = "rollout.start";
  public static final String ROLLOUT_GET = "rollout.get";
  public static final String ROLLOUT_PAUSE = "rollout.pause";
  public static final String ROLLOUT_RESUME = "rollout.resume";
  public static final String ROLLOUT_ABORT = "rollout.abort";
  public static final String MODEL_CREATE = "model.create";
  public static final String MODEL_GET = "model.get";
  public static final String MODEL_LIST = "model.list";
  public static final String ENVIRONMENT_CREATE = "environment.create";
  public static final String ENVIRONMENT_GET = "environment.get";
  public static final String ENVIRONMENT_LIST = "environment.list";
  /** The cluster's nodes (sluice node list / drain / undrain). */
  public static final String NODE_LIST = "node.list";
  public static final String NODE_GET = "node.get";
  public static final String NODE_DRAIN = "node.drain";
  public static final String NODE_UNDRAIN = "node.undrain";

  // endpoint-manager, internal door (Addresses.ENDPOINTS_INTERNAL): nodes only
  /** The whole desired state ({@link Snapshot}), keys included: for routers and the supervisor leader. */
  public static final String SNAPSHOT = "snapshot";
  /** From the supervisor leader: the observed outcome of a create/update (Succeeded or Failed, with a reason). */
  public static final String DEPLOYMENT_STATE = "deployment.state";
  /** From the supervisor leader: every instance of a Deleting deployment has stopped. */
  public static final String DEPLOYMENT_DELETED = "deployment.deleted";
  /** From the rollout runner: the rollouts that are Running. */
  public static final String ROLLOUT_RUNNING = "rollout.running";
  /** From the rollout runner: the verdict on a rollout's window (with the revision it judged). */
  public static final String ROLLOUT_ADVANCE = "rollout.advance";
  /** From the rollout runner: the recorded request/response pairs a rollout's replay step sends, and the key. */
  public static final String ROLLOUT_RECORDED = "rollout.recorded";

  // deployment-supervisor of one node
  public static final String SPAWN = "spawn";
  public static final String STOP = "stop";
  public static final String LOGS = "logs";
  /** To a node's supervisor: the records of a collection written on that node. */
  public static final String COLLECTED = "collected";
}
