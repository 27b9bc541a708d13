package io.sluice.protocol;

import io.vertx.core.json.JsonObject;

/** A deployment's {@code request_settings}, with Azure's defaults. */
public record RequestSettings(int timeoutMs, int maxConcurrent, int queueWaitMs) {
  public static final RequestSettings DEFAULT = new RequestSettings(5000, 1, 500);

  public static RequestSettings fromJson(JsonObject j) {
    if (j == null) {
      return DEFAULT;
    }
    return new RequestSettings(j.getInteger("request_timeout_ms", DEFAULT.timeoutMs),
        j.getInteger("max_concurrent_requests_per_instance", DEFAULT.maxConcurrent),
        j.getInteger("max_queue_wait_ms", DEFAULT.queueWaitMs));
  }

  public JsonObject toJson() {
    return new JsonObject().put("request_timeout_ms", timeoutMs)
        .put("max_concurrent_requests_per_instance", maxConcurrent).put("max_queue_wait_ms", queueWaitMs);
  }

  /** The router's own deadline: the runtime answers 408 first; this covers a scorer that never answers at all. */
  public int routerTimeoutMs() {
    return timeoutMs + queueWaitMs + 1000;
  }
}
