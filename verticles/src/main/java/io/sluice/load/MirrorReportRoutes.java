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
 * {@code GET /api/endpoints/{e}/mirror-report?seconds=N}: for each deployment copies of the endpoint's requests were
 * mirrored to in the window, how their answers compared with the live answers (cluster-wide counts, agreement, the
 * first and last mismatches with request ids and differing paths) and the mirror's latency beside live's. Under
 * {@code /api/}: admin token only.
 */
public final class MirrorReportRoutes {
  private final Vertx vertx;
  private final LoadPicture picture;
  private final long retentionSeconds;

  public MirrorReportRoutes(Vertx vertx, LoadPicture picture, long retentionSeconds) {
    this.vertx = vertx;
    this.picture = picture;
    this.retentionSeconds = retentionSeconds;
  }

  public void mount(Router router) {
    router.get("/api/endpoints/:e/mirror-report").handler(this::report);
  }

  private void report(RoutingContext ctx) {
    String e = ctx.pathParam("e");
    String s = ctx.queryParams().get("seconds");
    if (s != null && (!s.matches("\\d{1,6}") || Long.parseLong(s) < 1 || Long.parseLong(s) > retentionSeconds)) {
      ControlPlaneRoutes.error(ctx, 400, "seconds: a whole number from 1 to " + retentionSeconds + "; got '" + s + "'");
      return;
    }
    long seconds = s == null ? retentionSeconds : Long.parseLong(s);
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
                  .put("mirror", LoadRoutes.json(copies)).put("mismatches", new JsonArray(c.samples())));
            }
            LoadPicture.Stats answered = picture.window(new LoadPicture.Key(e, d, false), from, to);
            if (answered.answers() > 0) {
              live.add(LoadRoutes.json(answered).put("deployment", d));
            }
          }
          ctx.response().putHeader("content-type", "application/json").end(new JsonObject().put("endpoint", e)
              .put("from", from).put("to", to).put("mirrors", mirrors).put("live", live).encodePrettily());
        });
  }
}
