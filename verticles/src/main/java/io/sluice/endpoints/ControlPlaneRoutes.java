package io.sluice.endpoints;

import io.sluice.auth.Hmac;
import io.sluice.scoring.ZipLimits;
import io.sluice.protocol.Addresses;
import io.sluice.protocol.ControlPlane;
import io.sluice.protocol.Errors;
import io.sluice.protocol.Ops;
import io.sluice.protocol.ValidationException;
import io.sluice.store.Store;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The REST control plane under {@code /api/}: a thin translation of HTTP calls into messages to the
 * endpoint-manager ({@link Addresses#ENDPOINTS}). Uploaded folders go straight to the store: they are
 * immutable, content-addressed blobs with nothing to validate against the desired state.
 */
public final class ControlPlaneRoutes {
  private final Vertx vertx;
  private final Store store;
  private final String adminToken;
  private final String publicUrl;
  private final long maxUploadBytes;
  private final ZipLimits unpacked;

  public ControlPlaneRoutes(Vertx vertx, Store store, String adminToken, String publicUrl, long maxUploadBytes,
                            ZipLimits unpacked) {
    this.vertx = vertx;
    this.store = store;
    this.adminToken = adminToken;
    this.publicUrl = publicUrl;
    this.maxUploadBytes = maxUploadBytes;
    this.unpacked = unpacked;
  }

  public void mount(Router router) {
    router.route("/api/*").handler(this::authorize);
    router.get("/api/openapi.yaml").handler(ctx -> vertx.fileSystem().readFile("openapi/sluice-api.yaml")
        .onSuccess(b -> ctx.response().putHeader("content-type", "application/yaml").end(b))
        .onFailure(ctx::fail));
    router.post("/api/files").handler(BodyHandler.create().setBodyLimit(maxUploadBytes)).handler(this::upload)
        .failureHandler(ctx -> error(ctx, ctx.statusCode() > 0 ? ctx.statusCode() : 500, ctx.statusCode() == 413
            ? "file: the upload is over limits.max_upload_bytes=" + maxUploadBytes + " (zipped)"
            : "file: the upload failed: " + ctx.failure()));
    router.route("/api/*").handler(BodyHandler.create().setBodyLimit(4 * 1024 * 1024));

    router.get("/api/endpoints").handler(ctx -> call(ctx, 200, () -> new JsonObject().put(Ops.OP, Ops.ENDPOINT_LIST),
        this::withUris));
    router.post("/api/endpoints").handler(ctx -> call(ctx, 201, () -> op(Ops.ENDPOINT_CREATE).put("spec", body(ctx)),
        this::withUris));
    router.get("/api/endpoints/:e").handler(ctx -> call(ctx, 200, () -> named(ctx, Ops.ENDPOINT_GET), this::withUris));
    router.patch("/api/endpoints/:e").handler(ctx -> call(ctx, 200,
        () -> ifMatch(ctx, named(ctx, Ops.ENDPOINT_UPDATE).put("patch", body(ctx))), this::withUris));
    router.delete("/api/endpoints/:e").handler(ctx -> call(ctx, 202,
        () -> named(ctx, Ops.ENDPOINT_DELETE), this::withUris));
    router.post("/api/endpoints/:e/token").handler(ctx -> call(ctx, 200,
        () -> named(ctx, Ops.ENDPOINT_TOKEN), x -> x));
    router.post("/api/endpoints/:e/listKeys").handler(ctx -> call(ctx, 200,
        () -> named(ctx, Ops.ENDPOINT_KEYS), x -> x));
    router.post("/api/endpoints/:e/regenerateKeys").handler(ctx -> call(ctx, 200,
        () -> named(ctx, Ops.ENDPOINT_REGENERATE_KEYS).put("key_type", body(ctx).getString("keyType", "primary")),
        x -> x));

    router.post("/api/endpoints/:e/rollout").handler(ctx -> call(ctx, 201,
        () -> named(ctx, Ops.ROLLOUT_START).put("spec", body(ctx)), x -> x));
    router.get("/api/endpoints/:e/rollout").handler(ctx -> call(ctx, 200, () -> named(ctx, Ops.ROLLOUT_GET), x -> x));
    // the same as a list, empty when there was none: a page that polls it gets no 404 to log each time
    router.get("/api/endpoints/:e/rollouts").handler(ctx -> ControlPlane.request(vertx, named(ctx, Ops.ROLLOUT_GET),
        30_000).onSuccess(r -> json(ctx, 200, new JsonObject().put("value", new JsonArray().add(r)))).onFailure(err -> {
          if (Errors.httpStatus(err) == 404) {
            json(ctx, 200, new JsonObject().put("value", new JsonArray()));
          } else {
            error(ctx, Errors.httpStatus(err), err.getMessage());
          }
        }));
    // what rollout start takes when a field is left out: the dashboard's form shows these
    router.get("/api/rollout-defaults").handler(ctx -> json(ctx, 200, io.sluice.rollout.RolloutPlan.defaults()));
    Map.of("pause", Ops.ROLLOUT_PAUSE, "resume", Ops.ROLLOUT_RESUME, "abort", Ops.ROLLOUT_ABORT).forEach((verb, op) ->
        router.post("/api/endpoints/:e/rollout/" + verb).handler(ctx -> call(ctx, 200, () -> named(ctx, op), x -> x)));
    router.get("/api/endpoints/:e/deployments/:d/collected").handler(ctx -> call(ctx, 200,
        () -> deployment(ctx, Ops.DEPLOYMENT_COLLECTED).mergeIn(CollectedParams.of(ctx.queryParams())), x -> x));
    router.get("/api/endpoints/:e/deployments").handler(ctx -> call(ctx, 200,
        () -> op(Ops.DEPLOYMENT_LIST).put("endpoint", ctx.pathParam("e")), x -> x));
    router.post("/api/endpoints/:e/deployments").handler(ctx -> call(ctx, 202,
        () -> op(Ops.DEPLOYMENT_CREATE).put("spec", body(ctx).put("endpoint_name", ctx.pathParam("e")))
            .put("all_traffic", "true".equals(ctx.queryParams().get("all_traffic"))), x -> x));
    router.get("/api/endpoints/:e/deployments/:d").handler(ctx -> call(ctx, 200, () -> deployment(ctx, Ops.DEPLOYMENT_GET),
        x -> x));
    router.put("/api/endpoints/:e/deployments/:d").handler(ctx -> call(ctx, 202,
        () -> ifMatch(ctx, op(Ops.DEPLOYMENT_UPDATE).put("spec", body(ctx).put("endpoint_name", ctx.pathParam("e"))
            .put("name", ctx.pathParam("d")))), x -> x));
    router.delete("/api/endpoints/:e/deployments/:d").handler(ctx -> call(ctx, 202,
        () -> deployment(ctx, Ops.DEPLOYMENT_DELETE), x -> x));
    router.post("/api/endpoints/:e/deployments/:d/getLogs").handler(ctx -> call(ctx, 200, () -> deployment(ctx, Ops.DEPLOYMENT_LOGS).put("lines", tail(body(ctx))), x -> x));

    // the cluster's nodes: list, one, drain (?routers=true: its router too), undrain
    router.get("/api/nodes").handler(ctx -> call(ctx, 200, () -> op(Ops.NODE_LIST), x -> x));
    router.get("/api/nodes/:n").handler(ctx -> call(ctx, 200, () -> op(Ops.NODE_GET).put("name", ctx.pathParam("n")),
        x -> x));
    router.post("/api/nodes/:n/drain").handler(ctx -> call(ctx, 200, () -> op(Ops.NODE_DRAIN)
        .put("name", ctx.pathParam("n")).put("routers", flag(body(ctx), "routers")), x -> x));
    router.post("/api/nodes/:n/undrain").handler(ctx -> call(ctx, 200, () -> op(Ops.NODE_UNDRAIN)
        .put("name", ctx.pathParam("n")), x -> x));

    for (String kind : new String[] {"models", "environments"}) {
      String create = kind.equals("models") ? Ops.MODEL_CREATE : Ops.ENVIRONMENT_CREATE;
      String get = kind.equals("models") ? Ops.MODEL_GET : Ops.ENVIRONMENT_GET;
      String list = kind.equals("models") ? Ops.MODEL_LIST : Ops.ENVIRONMENT_LIST;
      router.post("/api/" + kind).handler(ctx -> call(ctx, 201, () -> op(create).put("spec", body(ctx)), x -> x));
      router.get("/api/" + kind).handler(ctx -> call(ctx, 200, () -> op(list).put("name", ctx.queryParams().get("name")),
          x -> x));
      router.get("/api/" + kind + "/:n").handler(ctx -> call(ctx, 200, () -> op(get).put("name", ctx.pathParam("n"))
          .put("version", ctx.queryParams().get("version")), x -> x));
    }
  }

  private void authorize(RoutingContext ctx) {
    String auth = ctx.request().getHeader("Authorization");
    if (auth == null || !auth.startsWith("Bearer ") || !Hmac.same(auth.substring(7).trim(), adminToken)) {
      error(ctx, 401, "the control plane needs 'Authorization: Bearer <admin token>' (the node writes it to "
          + "$SLUICE_HOME/admin-token)");
      return;
    }
    ctx.next();
  }

  private void upload(RoutingContext ctx) {
    byte[] data = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
    if (data.length == 0) {
      error(ctx, 400, "file: the upload is empty");
      return;
    }
    if (!isZip(data)) {
      error(ctx, 400, "file: uploads must be zip archives of a folder");
      return;
    }
    // inflating (the limits), hashing and storing all run on a worker: none of it on an event loop
    vertx.executeBlocking(() -> {
      unpacked.check(data);
      String id = Uploads.id(data);
      store.putFile(id, data);
      return id;
    }, false).onSuccess(id -> json(ctx, 201, new JsonObject().put("id", id).put("size", data.length)))
        .onFailure(err -> uploadFailed(ctx, err));
  }

  /** Over an unpacking limit: 413 naming it; not a zip: 400; the store failed: 500. */
  private static void uploadFailed(RoutingContext ctx, Throwable err) {
    if (err instanceof ZipLimits.Exceeded) {
      error(ctx, 413, err.getMessage());
    } else if (err instanceof java.util.zip.ZipException) {
      error(ctx, 400, "file: not a readable zip archive: " + err.getMessage());
    } else {
      error(ctx, 500, "cannot store the upload: " + err.getMessage());
    }
  }

  private static boolean isZip(byte[] d) {
    return d.length >= 4 && d[0] == 'P' && d[1] == 'K' && (d[2] == 3 || d[2] == 5) && (d[3] == 4 || d[3] == 6);
  }

  private void call(RoutingContext ctx, int okStatus, Supplier<JsonObject> request,
                    Function<JsonObject, JsonObject> view) {
    JsonObject message;
    try {
      message = request.get();
      String clientRequest = ClientRequests.checked(ctx.request().getHeader(ClientRequests.HEADER));
      if (clientRequest != null) {
        ctx.response().putHeader(ClientRequests.HEADER, clientRequest);
        if (ctx.request().method() != io.vertx.core.http.HttpMethod.GET) {
          message.put(ClientRequests.FIELD, clientRequest); // a repeat gets the first answer
        }
      }
    } catch (ValidationException e) {
      error(ctx, 400, e.getMessage());
      return;
    }
    ControlPlane.request(vertx, message, 30_000)
        .onSuccess(r -> json(ctx, okStatus, view.apply(r)))
        .onFailure(err -> error(ctx, Errors.httpStatus(err), err.getMessage()));
  }

  private JsonObject withUris(JsonObject r) {
    if (r.getValue("value") instanceof JsonArray a) {
      a.forEach(o -> withUris((JsonObject) o));
      return r;
    }
    if (r.getString("name") != null) {
      r.put("scoring_uri", publicUrl + "/endpoints/" + r.getString("name") + "/score");
      r.put("openapi_uri", publicUrl + "/endpoints/" + r.getString("name") + "/swagger.json");
    }
    return r;
  }

  /** {@code If-Match: <revision>}: the change applies only to that revision (412 otherwise). */
  private static JsonObject ifMatch(RoutingContext ctx, JsonObject message) {
    String v = ctx.request().getHeader("If-Match");
    if (v != null) {
      String digits = v.replace("\"", "").trim();
      if (!digits.matches("\\d{1,9}")) {
        throw new ValidationException("If-Match: must be a revision number; got '" + v + "'");
      }
      message.put("if_match", Integer.parseInt(digits));
    }
    return message;
  }

  /** A true/false field of a request body (absent: false). */
  private static boolean flag(JsonObject body, String field) {
    Object v = body.getValue(field, false);
    if (!(v instanceof Boolean b)) {
      throw new ValidationException(field + ": must be true or false; got " + v);
    }
    return b;
  }

  private static JsonObject op(String op) {
    return new JsonObject().put(Ops.OP, op);
  }

  private static JsonObject named(RoutingContext ctx, String op) {
    return op(op).put("name", ctx.pathParam("e"));
  }

  private static JsonObject deployment(RoutingContext ctx, String op) {
    return op(op).put("endpoint", ctx.pathParam("e")).put("name", ctx.pathParam("d"));
  }

  /** getLogs' "tail": how many of the last lines, a whole number from 1 to {@link #MAX_TAIL} (default 5000). */
  static int tail(JsonObject body) {
    Object t = body.getValue("tail", 5000);
    if (!(t instanceof Integer n) || n < 1 || n > MAX_TAIL) {
      throw new ValidationException("tail: must be a whole number of lines from 1 to " + MAX_TAIL + "; got "
          + (t instanceof String ? "'" + t + "'" : String.valueOf(t)));
    }
    return n;
  }

  static final int MAX_TAIL = 10_000;

  private static JsonObject body(RoutingContext ctx) {
    if (ctx.body() == null || ctx.body().length() == 0) {
      return new JsonObject();
    }
    try {
      JsonObject o = ctx.body().asJsonObject();
      return o == null ? new JsonObject() : o;
    } catch (DecodeException | ClassCastException e) {
      throw new ValidationException("body: not a JSON object: " + e.getMessage());
    }
  }

  static void json(RoutingContext ctx, int status, JsonObject body) {
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encodePrettily());
    }
  }

  /** Azure's ARM error shape: {"error": {"code", "message"}}. */
  public static void error(RoutingContext ctx, int status, String message) {
    json(ctx, status, new JsonObject().put("error", new JsonObject().put("code", Errors.azureCode(status))
        .put("message", message)));
  }
}
