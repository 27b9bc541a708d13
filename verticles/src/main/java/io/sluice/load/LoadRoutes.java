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
import java.util.ArrayList;
import java.util.List;

/**
 * The load picture's REST doors, under {@code /api/} (so only the admin token reads them), both from this node's
 * {@link LoadPicture}, cluster-wide, over the last N seconds: up to the picture's retention one entry a second, beyond
 * it (up to an hour) one entry per {@link LoadPicture#COARSE_SECONDS} ({@code step} in the answer):
 * <ul>
 *   <li>{@code GET /api/endpoints/{e}/deployments/{d}/load?seconds=N&mirror=false}: a deployment's answers, the
 *   window's totals and one entry per step (for mirrored copies, how many were compared and agreed);</li>
 *   <li>{@code GET /api/endpoints/{e}/rollout/load?seconds=N}: the endpoint's rollout as its judge sees it: the
 *   target's answers (with the copies mirrored to it: what a mirror-first step judges), the live deployments' (those
 *   with traffic before it) together, and the mirrored copies alone with their agreement, per step;</li>
 *   <li>{@code GET /api/endpoints/{e}/mirror-report?seconds=N}: for each deployment copies were mirrored to, how
 *   their answers compared with the live answers (counts, agreement, the first and last mismatches with request
 *   ids and differing paths) and the mirror's latency beside live's; and the last replay step of the endpoint's
 *   rollout, when it had one (its answers compared with the recorded ones).</li>
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
    router.get("/api/endpoints/:e/rollout/load").handler(this::rollout);
  }

  /** The longest window asked for: the coarse tier's hour, or the retention when that is longer. */
  private long longest() {
    return Math.max(retentionSeconds, LoadPicture.HISTORY_SECONDS);
  }

  private int step(long seconds) {
    return seconds <= retentionSeconds ? 1 : LoadPicture.COARSE_SECONDS;
  }

  /** The {@code seconds} query parameter, or {@code dflt}; null when it is bad (the 400 is sent). */
  private Long seconds(RoutingContext ctx, long dflt) {
    String s = ctx.queryParams().get("seconds");
    if (s == null) {
      return dflt;
    }
    if (!s.matches("\\d{1,6}") || Long.parseLong(s) < 1 || Long.parseLong(s) > longest()) {
      ControlPlaneRoutes.error(ctx, 400, "seconds: a whole number from 1 to " + longest() + "; got '" + s + "'");
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
          int step = step(seconds);
          JsonObject body = new JsonObject().put("endpoint", e).put("deployment", d).put("mirror", key.mirror())
              .put("from", from).put("to", to).put("step", step)
              .put("window", json(picture.total(List.of(key), from, to, step), key.mirror()))
              .put("series", series(List.of(key), from, to, step));
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
          JsonObject body = new JsonObject().put("endpoint", e).put("from", from).put("to", to)
              .put("mirrors", mirrors).put("live", live);
          // a rollout's replay step compared answers too: its last verdict, beside the mirrors' (none: no field)
          ControlPlane.request(vertx, new JsonObject().put(Ops.OP, Ops.ROLLOUT_GET).put("name", e), 30_000)
              .onComplete(r -> {
                JsonObject replay = r.succeeded() ? lastReplay(r.result()) : null;
                ctx.response().putHeader("content-type", "application/json")
                    .end((replay == null ? body : body.put("replay", replay)).encodePrettily());
              });
        });
  }

  /** The last replay verdict of a rollout, as the mirror report shows it; null when it replayed nothing. */
  static JsonObject lastReplay(JsonObject rollout) {
    JsonObject last = null;
    for (Object o : rollout.getJsonArray("verdicts", new JsonArray())) {
      JsonObject v = (JsonObject) o;
      if (v.getJsonObject("figures", new JsonObject()).containsKey("replay_compared")) {
        last = v;
      }
    }
    if (last == null) {
      return null;
    }
    JsonObject f = last.getJsonObject("figures");
    return new JsonObject().put("deployment", rollout.getString("deployment")).put("step", last.getString("step"))
        .put("outcome", last.getString("outcome")).put("compared", f.getValue("replay_compared"))
        .put("agreed", f.getValue("replay_agreed")).put("agreement_percent", f.getValue("agreement"))
        .put("not_compared", f.getValue("replay_not_compared")).put("mismatches", f.getValue("mismatches"));
  }

  /** A rollout's target, live and mirror series; the live side is what had traffic before the rollout began. */
  private void rollout(RoutingContext ctx) {
    String e = ctx.pathParam("e");
    Long seconds = seconds(ctx, 300);
    if (seconds == null) {
      return;
    }
    ControlPlane.request(vertx, new JsonObject().put(Ops.OP, Ops.ROLLOUT_GET).put("name", e), 30_000)
        .onFailure(err -> ControlPlaneRoutes.error(ctx, Errors.httpStatus(err), err.getMessage()))
        .onSuccess(r -> {
          String target = r.getString("deployment");
          List<LoadPicture.Key> live = new ArrayList<>();
          JsonArray liveNames = new JsonArray();
          r.getJsonObject("before", new JsonObject()).getJsonObject("traffic", new JsonObject()).forEach(t -> {
            if (!t.getKey().equals(target) && ((Number) t.getValue()).intValue() > 0) {
              live.add(new LoadPicture.Key(e, t.getKey(), false));
              liveNames.add(t.getKey());
            }
          });
          long to = System.currentTimeMillis() / 1000;
          long from = to - seconds + 1;
          int step = step(seconds);
          ctx.response().putHeader("content-type", "application/json").end(new JsonObject().put("endpoint", e)
              .put("deployment", target).put("live_deployments", liveNames).put("from", from).put("to", to)
              .put("step", step).put("p99_noise_ms", io.sluice.rollout.Judge.P99_NOISE_MS)
              .put("target", series(List.of(new LoadPicture.Key(e, target, false),
                  new LoadPicture.Key(e, target, true)), from, to, step))
              .put("live", series(live, from, to, step))
              .put("mirror", series(List.of(new LoadPicture.Key(e, target, true)), from, to, step)).encode());
        });
  }

  private JsonArray series(List<LoadPicture.Key> keys, long from, long to, int step) {
    boolean mirror = keys.stream().allMatch(LoadPicture.Key::mirror);
    JsonArray out = new JsonArray();
    picture.history(keys, from, to, step).forEach(s -> out.add(json(s, mirror).put("second", s.stats().fromSecond())));
    return out;
  }

  /** A slice's figures; for mirrored copies, how many were compared with the live answers and how many agreed. */
  static JsonObject json(LoadPicture.Slice s, boolean mirror) {
    JsonObject j = json(s.stats());
    if (mirror) {
      j.put("compared", s.compared()).put("agreed", s.agreed()).put("agreement_percent", s.compared() == 0 ? null
          : Math.round(10000.0 * s.agreed() / s.compared()) / 100.0);
    }
    return j;
  }

  static JsonObject json(LoadPicture.Stats st) {
    return new JsonObject().put("answers", st.answers()).put("ok", st.ok()).put("client_errors", st.clientErrors())
        .put("throttled", st.throttled()).put("server_errors", st.serverErrors())
        .put("error_rate_percent", st.errorRatePercent()).put("in_flight", st.inFlight()).put("p50_ms", st.p50Ms())
        .put("p99_ms", st.p99Ms());
  }
}
