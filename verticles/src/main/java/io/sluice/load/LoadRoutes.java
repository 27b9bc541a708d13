package io.sluice.load;

import io.sluice.endpoints.ControlPlaneRoutes;
import io.sluice.protocol.ControlPlane;
import io.sluice.protocol.Errors;
import io.sluice.protocol.Ops;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /api/endpoints/{e}/deployments/{d}/load?seconds=N&mirror=false}: a deployment's load over the last N
 * seconds (at most the picture's retention), cluster-wide, from this node's {@link LoadPicture}: the window's totals
 * and one entry per second. Mounted under {@code /api/}, so only the admin token reads it.
 */
public final class LoadRoutes {
  private final Vertx vertx;
  private final LoadPicture picture;
  private final long retentionSeconds;

  public LoadRoutes(Vertx vertx, LoadPicture picture, long retentionSeconds) {
    this.vertx = vertx;
    this.picture = picture;
    this.retentionSeconds = retentionSeconds;
  }

  /** After the control plane's routes: its {@code /api/*} admin-token check runs first. */
  public void mount(Router router) {
    router.get("/api/endpoints/:e/deployments/:d/load").handler(this::load);
  }

  private void load(RoutingContext ctx) {
    String e = ctx.pathParam("e");
    String d = ctx.pathParam("d");
    String s = ctx.queryParams().get("seconds");
    String m = ctx.queryParams().get("mirror");
    if (s != null && !s.matches("\\d{1,6}") || s != null && (Long.parseLong(s) < 1 || Long.parseLong(s) > retentionSeconds)) {
      ControlPlaneRoutes.error(ctx, 400, "seconds: a whole number from 1 to " + retentionSeconds + "; got '" + s + "'");
      return;
    }
    if (m != null && !m.equals("true") && !m.equals("false")) {
      ControlPlaneRoutes.error(ctx, 400, "mirror: true or false; got '" + m + "'");
      return;
    }
    long seconds = s == null ? 60 : Long.parseLong(s);
    LoadPicture.Key key = new LoadPicture.Key(e, d, "true".equals(m));
    // the deployment must exist: a name nobody deployed is a 404, not an empty picture
    ControlPlane.request(vertx, new JsonObject().put(Ops.OP, Ops.DEPLOYMENT_GET).put("endpoint", e).put("name", d),
        30_000).onFailure(err -> ControlPlaneRoutes.error(ctx, Errors.httpStatus(err), err.getMessage()))
        .onSuccess(found -> {
          long to = System.currentTimeMillis() / 1000;
          long from = to - seconds + 1;
          JsonArray series = new JsonArray();
          picture.series(key, from, to).forEach(st -> series.add(json(st).put("second", st.fromSecond())));
          JsonObject body = new JsonObject().put("endpoint", e).put("deployment", d).put("mirror", key.mirror())
              .put("from", from).put("to", to).put("window", json(picture.window(key, from, to))).put("series", series);
          ctx.response().putHeader("content-type", "application/json").end(body.encodePrettily());
        });
  }

  static JsonObject json(LoadPicture.Stats st) {
    return new JsonObject().put("answers", st.answers()).put("ok", st.ok()).put("client_errors", st.clientErrors())
        .put("throttled", st.throttled()).put("server_errors", st.serverErrors())
        .put("error_rate_percent", st.errorRatePercent()).put("in_flight", st.inFlight()).put("p50_ms", st.p50Ms())
        .put("p99_ms", st.p99Ms());
  }
}
