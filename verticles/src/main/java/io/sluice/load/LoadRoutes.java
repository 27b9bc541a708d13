package io.sluice.load;

import io.sluice.endpoints.ControlPlaneRoutes;
import io.sluice.protocol.ControlPlane;
import io.sluice.protocol.Errors;
import io.sluice.protocol.LoadReport;
import io.sluice.protocol.Ops;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The load picture's REST doors, under {@code /api/} (so only the admin token reads them), both from this node's
 * {@link LoadPicture}, cluster-wide, over the last N seconds (at most the picture's retention):
 * <ul>
 *   <li>{@code GET /api/endpoints/{e}/deployments/{d}/load?seconds=N&mirror=false}: a deployment's answers, the
 *   window's totals and one entry per second;</li>
 *   <li>{@code GET /api/endpoints/{e}/mirror-report?seconds=N}: for each deployment copies were mirrored to, how
 *   their answers compared with the live answers (counts, agreement, the first and last mismatches with request
 *   ids and differing paths) and the mirror's latency beside live's.</li>
 * </ul>
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
    router.get("/api/endpoints/:e/mirror-report").handler(this::report);
  }

  /** The {@code seconds} query parameter, or {@code dflt}; null when it is bad (the 400 is sent). */
  private Long seconds(RoutingContext ctx, long dflt) {
    String s = ctx.queryParams().get("seconds");
    if (s == null) {
      return dflt;
    }
    if (!s.matches("\\d{1,6}") || Long.parseLong(s) < 1 || Long.parseLong(s) > retentionSeconds) {
      ControlPlaneRoutes.error(ctx, 400, "seconds: a whole number from 1 to " + retentionSeconds + "; got '" + s + "'");
      return null;
    }
    return Long.parseLong(s);
  }

  private void load(RoutingContext ctx) {
    String e = ctx.pathParam("e");
    String d = ctx.pathParam("d");
    Long seconds = seconds(ctx, 60);
    if (seconds == null) {
      return;
    }
    String m = ctx.queryParams().get("mirror");
    if (m != null && !m.equals("true") && !m.equals("false")) {
      ControlPlaneRoutes.error(ctx, 400, "mirror: true or false; got '" + m + "'");
      return;
    }
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

  private void report(RoutingContext ctx) {
    String e = ctx.pathParam("e");
    Long seconds = seconds(ctx, retentionSeconds);
    if (seconds == null) {
      return;
    }
    ControlPlane.request(vertx, new JsonObject().put(Ops.OP, Ops.DEPLOYMENT_LIST).put("endpoint", e), 30_000)
        .onFailure(err -> ControlPlaneRoutes.error(ctx, Errors.httpStatus(err), err.getMessage()))
        .onSuccess(list -> {
          long to = System.currentTimeMillis() / 1000;
          long from = to - seconds + 1;
          JsonArray mirrors = new JsonArray();
          JsonArray live = new JsonArray();
          for (Object o : list.getJsonArray("value", new JsonArray())) {
            String d = ((JsonObject) o).getString("name");
            LoadPicture.Key key = new LoadPicture.Key(e, d, true);
            LoadReport.Comparison c = picture.comparison(key, from, to);
            LoadPicture.Stats copies = picture.window(key, from, to);
            if (copies.answers() > 0 || c.compared() + c.notCompared() > 0) {
              mirrors.add(new JsonObject().put("deployment", d).put("compared", c.compared())
                  .put("agreed", c.agreed()).put("agreement_percent", c.compared() == 0 ? null
                      : Math.round(10000.0 * c.agreed() / c.compared()) / 100.0)
                  .put("mismatched", new JsonObject().put("status", c.status()).put("structure", c.structure())
                      .put("value", c.value())).put("not_compared", c.notCompared())
                  .put("mirror", json(copies)).put("mismatches", new JsonArray(c.samples())));
            }
            LoadPicture.Stats answered = picture.window(new LoadPicture.Key(e, d, false), from, to);
            if (answered.answers() > 0) {
              live.add(json(answered).put("deployment", d));
            }
          }
          ctx.response().putHeader("content-type", "application/json").end(new JsonObject().put("endpoint", e)
              .put("from", from).put("to", to).put("mirrors", mirrors).put("live", live).encodePrettily());
        });
  }

  static JsonObject json(LoadPicture.Stats st) {
    return new JsonObject().put("answers", st.answers()).put("ok", st.ok()).put("client_errors", st.clientErrors())
        .put("throttled", st.throttled()).put("server_errors", st.serverErrors())
        .put("error_rate_percent", st.errorRatePercent()).put("in_flight", st.inFlight()).put("p50_ms", st.p50Ms())
        .put("p99_ms", st.p99Ms());
  }
}
