package io.sluice.protocol;

/** HTTP and event-bus header names of the data plane (Azure's where Azure has one). */
public final class Headers {
  private Headers() {
  }

  public static final String MODEL_DEPLOYMENT = "azureml-model-deployment";
  public static final String REQUEST_ID = "x-request-id";
  public static final String CLIENT_REQUEST_ID = "x-ms-client-request-id";
  public static final String MODEL_ERROR_STATUS = "ms-azureml-model-error-statuscode";
  public static final String MODEL_ERROR_REASON = "ms-azureml-model-error-reason";
  public static final String RUN_FN_EXEC_MS = "x-ms-run-fn-exec-ms";

  /** Event-bus reply header: the status the scoring script answered with (200, or its error status). */
  public static final String SCRIPT_STATUS = "sluice-script-status";
  /** Event-bus reply header: "runtime" when Sluice's runtime answered (408, 429, 500) rather than the script. */
  public static final String STATUS_ORIGIN = "sluice-status-origin";
  /** Event-bus reply header: how long the request waited for a free worker, in ms. */
  public static final String QUEUE_MS = "sluice-queue-ms";
  /**
   * Event-bus request header: the router has another instance to try, so an instance with no ready worker should
   * refuse (503) at once rather than queue the request until a worker is back.
   */
  public static final String REDIRECTABLE = "sluice-redirectable";
  /** Event-bus request header: this copy is a mirror; its answer is discarded. */
  public static final String MIRROR = "sluice-mirror";
  /** Event-bus request headers: the HTTP method and query string, when not a plain POST. */
  public static final String METHOD = "sluice-method";
  public static final String PATH = "sluice-path";
  public static final String QUERY = "sluice-query";
  /** Event-bus request headers: each of the client's headers the script may read (never Authorization). */
  public static final String FORWARDED_PREFIX = "sluice-h-";
  /** Event-bus reply headers: the answer's content type; "true" when the script made the whole answer itself. */
  public static final String CONTENT_TYPE = "sluice-content-type";
  public static final String MADE = "sluice-made";
  /** On an instance's reply: a streamed answer, its chunks length-prefixed in the body; the value is why it broke. */
  public static final String STREAMED = "sluice-streamed";
  /** Event-bus reply headers: each header of an answer the script made itself. */
  public static final String ANSWER_PREFIX = "sluice-a-";
  /** Azure's answer headers: whether run() raised, and the request id echoed. */
  public static final String RUN_FUNCTION_FAILED = "x-ms-run-function-failed";
  public static final String MS_REQUEST_ID = "x-ms-request-id";
}
