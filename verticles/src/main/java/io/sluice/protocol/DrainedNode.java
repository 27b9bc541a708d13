package io.sluice.protocol;

import io.vertx.core.json.JsonObject;

/**
 * A node an operator drained ({@code sluice node drain}), by its stable name, kept in the store until undrained so
 * it stays drained across restarts: it hosts no instance ({@code routers}: and its {@code /healthz} answers 503, so
 * load balancers take its router out too). Travels in the {@link Snapshot}.
 */
public record DrainedNode(String name, boolean routers, long sinceSeconds) {

  public static DrainedNode fromJson(JsonObject j) {
    return new DrainedNode(j.getString("name"), j.getBoolean("routers", false), j.getLong("since", 0L));
  }

  public JsonObject toJson() {
    return new JsonObject().put("name", name).put("routers", routers).put("since", sinceSeconds);
  }
}
