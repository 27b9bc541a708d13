package io.sluice.protocol;

import io.vertx.core.json.JsonObject;

/**
 * A deployment's {@code request_settings}, with Azure's defaults; {@code maxBatchSize} and {@code batchWaitMs} are
 * Sluice's batching extension (max_batch_size, max_batch_wait_ms: 1 and 5 by default, i.e. no batching).
 */
public record RequestSettings(int timeoutMs, int maxConcurrent, int queueWaitMs, int maxBatchSize, int batchWaitMs) {
  public static final RequestSettings DEFAULT = new RequestSettings(5000, 1, 500, 1, 5);

  public RequestSettings(int timeoutMs, int maxConcurrent, int queueWaitMs) {
    this(timeoutMs, maxConcurrent, queueWaitMs, DEFAULT.maxBatchSize, DEFAULT.batchWaitMs);
  }

  public static RequestSettings fromJson(JsonObject j) {
    if (j == null) {
      return DEFAULT;
    }
    return new RequestSettings(j.getInteger("request_timeout_ms", DEFAULT.timeoutMs),
        j.getInteger("max_concurrent_requests_per_instance", DEFAULT.maxConcurrent),
        j.getInteger("max_queue_wait_ms", DEFAULT.queueWaitMs),
        j.getInteger("max_batch_size", DEFAULT.maxBatchSize),
        j.getInteger("max_batch_wait_ms", DEFAULT.batchWaitMs));
  }

  public JsonObject toJson() {
    return new JsonObject().put("request_timeout_ms", timeoutMs)
        .put("max_concurrent_requests_per_instance", maxConcurrent).put("max_queue_wait_ms", queueWaitMs)
        .put("max_batch_size", maxBatchSize).put("max_batch_wait_ms", batchWaitMs);
  }

  /**
   * Requests one instance works on at once: a worker per concurrent request, and with batching a whole batch per
   * worker. Admission (Azure's 2 x this x instances), the local-first choice and the autoscaler's utilisation count
   * in these units.
   */
  public int perInstance() {
    return maxConcurrent * maxBatchSize;
  }

  /** The router's own deadline: the runtime answers 408 first; this covers a scorer that never answers at all. */
  public int routerTimeoutMs() {
    return timeoutMs + queueWaitMs + (maxBatchSize > 1 ? batchWaitMs : 0) + 1000;
  }
}
