package io.sluice.node;

import io.sluice.auth.Versions;
import io.sluice.protocol.DrainedNode;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.function.Supplier;

/**
 * {@code GET /healthz}: 200 {@code UP} while the node serves; 503 while it starts ({@code STARTING}), while it stops
 * ({@code STOPPING}: SIGTERM, its instances moving away) and while an operator has drained its router
 * ({@code sluice node drain --routers-too}: {@code DRAINED}), so a load balancer that checks it sends the node no new
 * requests. Requests that still arrive are served. The body says which release and protocol version the node is,
 * and names the nodes it met that it cannot talk to. Open to anyone (it names no secret), like Vert.x's health checks.
 */
final class Health {
  enum Phase { STARTING, UP, STOPPING }

  private final Vertx vertx;
  private final NodeInfo info;
  private final Versions versions;
  private final Supplier<DrainedNode> drained;
  private volatile Phase phase = Phase.STARTING;

  /** {@code drained}: this node's drain as its router last read it (null: not drained). */
  Health(Vertx vertx, NodeInfo info, Versions versions, Supplier<DrainedNode> drained) {
    this.vertx = vertx;
    this.info = info;
    this.versions = versions;
    this.drained = drained;
  }

  void phase(Phase p) {
    phase = p;
  }

  void mount(Router r) {
    r.get("/healthz").handler(ctx -> {
      DrainedNode d = drained.get();
      String status = phase != Phase.UP ? phase.name() : d != null && d.routers() ? "DRAINED" : "UP";
      ctx.response().setStatusCode(status.equals("UP") ? 200 : 503).putHeader("content-type", "application/json")
          .end(new JsonObject().put("status", status).put("node", info.name()).put("node_id", info.nodeId())
              .put("release", Release.describe()).put("protocol", versions.describe())
              .put("drained", d != null).put("routers_drained", d != null && d.routers())
              .put("members", ((VertxInternal) vertx).clusterManager().getNodes().size()).encode());
    });
  }
}
