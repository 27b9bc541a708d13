package io.sluice.router;

import io.sluice.auth.Authenticator;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The Open Inference Protocol's REST door (KServe v2), beside Azure's: a model is an endpoint, a model's version one
 * of its deployments. {@code POST /v2/models/{m}[/versions/{v}]/infer} is a scoring request like Azure's (the same
 * key, split, mirror, pin, admission and metrics: {@link ScoringHandler}); the version pins as
 * {@code azureml-model-deployment} does. The server's health and metadata ({@code /v2/health/live|ready},
 * {@code /v2}) are open, as {@code /healthz} is; a model's metadata and readiness take the endpoint's key. Errors
 * in the protocol's shape, {@code {"error": "..."}}.
 */
final class OipDoor {
  enum Kind { SERVER, LIVE, READY, MODEL, MODEL_READY, INFER, UNKNOWN }

  /** One request on the door: what it asks, of which model (endpoint) and version (deployment, or null). */
  record Call(Kind kind, String model, String version) {
  }

  static final String PREFIX = "/v2";

  /** The call a request makes, or null when its path is not under {@code /v2}. Pure. */
  static Call parse(HttpMethod method, String path) {
    if (path == null || !(path.equals(PREFIX) || path.startsWith(PREFIX + "/"))) {
      return null;
    }
    String[] p = path.substring(1).split("/", -1);
    boolean get = method == HttpMethod.GET;
    if (p.length == 1 || (p.length == 2 && p[1].isEmpty())) {
      return get ? new Call(Kind.SERVER, null, null) : unknown();
    }
    if (p.length == 3 && p[1].equals("health") && get) {
      return p[2].equals("live") ? new Call(Kind.LIVE, null, null)
          : p[2].equals("ready") ? new Call(Kind.READY, null, null) : unknown();
    }
    if (p.length < 3 || !p[1].equals("models") || p[2].isEmpty()) {
      return unknown();
    }
    String model = p[2];
    int at = 3;
    String version = null;
    if (p.length >= 5 && p[3].equals("versions") && !p[4].isEmpty()) {
      version = p[4];
      at = 5;
    }
    String verb = p.length == at ? "" : p.length == at + 1 ? p[at] : null;
    if ("".equals(verb) && get) {
      return new Call(Kind.MODEL, model, version);
    }
    if ("ready".equals(verb) && get) {
      return new Call(Kind.MODEL_READY, model, version);
    }
    if ("infer".equals(verb) && method == HttpMethod.POST) {
      return new Call(Kind.INFER, model, version);
    }
    return unknown();
  }

  private static Call unknown() {
    return new Call(Kind.UNKNOWN, null, null);
  }

  private final Supplier<RoutingTable> table;
  private final Authenticator auth;
  private final ScoringHandler scoring;
  private final String serverVersion;

  OipDoor(Supplier<RoutingTable> table, Authenticator auth, ScoringHandler scoring, String serverVersion) {
    this.table = table;
    this.auth = auth;
    this.scoring = scoring;
    this.serverVersion = serverVersion;
  }

  void handle(HttpServerRequest req, Call c) {
    switch (c.kind()) {
      case SERVER -> json(req, 200, serverMetadata());
      case LIVE -> json(req, 200, new JsonObject().put("live", true));
      case READY -> json(req, 200, new JsonObject().put("ready", true)); // the router listens once it routes
      case INFER -> scoring.http(req, c.model(), c.version(), OipDoor::shaped);
      case MODEL, MODEL_READY -> model(req, c);
      default -> json(req, 404, error("no such Open Inference Protocol route: " + req.method() + " " + req.path()));
    }
  }

  /** A model's metadata or readiness over HTTP. */
  private void model(HttpServerRequest req, Call c) {
    modelAnswer(c, req.getHeader("Authorization")).onSuccess(a -> json(req, a.status(), a.body()));
  }

  /** An answer of the door: an HTTP status and a JSON body (an error's in the protocol's shape). */
  record Reply(int status, JsonObject body) {
  }

  /**
   * A model's metadata ({@link Kind#MODEL}) or readiness ({@link Kind#MODEL_READY}), whichever door asked (HTTP or
   * gRPC): the endpoint's key first, as for scoring ({@code authorization} as the header's value). Never fails.
   */
  Future<Reply> modelAnswer(Call c, String authorization) {
    RoutingTable.EndpointRoute ep = table.get().endpoints.get(c.model());
    if (ep == null) {
      return Future.succeededFuture(new Reply(404, error("model '" + c.model() + "' not found")));
    }
    return auth.check(ep.credentials, authorization).transform(ar -> {
      if (ar.failed()) {
        return Future.succeededFuture(new Reply(401, error(ar.cause().getMessage())));
      }
      RoutingTable.DeploymentRoute d = c.version() != null ? ep.deployments.get(c.version()) : live(ep);
      if (c.version() != null && d == null) {
        return Future.succeededFuture(new Reply(404, error("version '" + c.version() + "' of model '" + c.model()
            + "' not found")));
      } else if (c.kind() == Kind.MODEL) {
        return Future.succeededFuture(new Reply(200, metadata(ep, c.version(), d)));
      } else if (d != null && d.serving()) {
        return Future.succeededFuture(new Reply(200, new JsonObject().put("name", c.model()).put("ready", true)));
      } // the protocol: 200 is ready, a 4xx is not
      return Future.succeededFuture(new Reply(400, error("model '" + c.model() + "'" + (c.version() == null ? ""
          : " version '" + c.version() + "'") + " is not ready: " + (d == null ? "no deployment takes traffic"
          : "no instance is ready"))));
    });
  }

  JsonObject serverMetadata() {
    return new JsonObject().put("name", "sluice").put("version", serverVersion).put("extensions", new JsonArray());
  }

  /** The deployment that takes the most of the endpoint's traffic (by name on a tie), or null when none takes any. */
  static RoutingTable.DeploymentRoute live(RoutingTable.EndpointRoute ep) {
    String best = null;
    for (String name : new TreeSet<>(ep.traffic.keySet())) {
      int pct = ep.traffic.get(name);
      if (pct > 0 && ep.deployments.containsKey(name) && (best == null || pct > ep.traffic.get(best))) {
        best = name;
      }
    }
    return best == null ? null : ep.deployments.get(best);
  }

  /** The protocol's model metadata; inputs and outputs from the deployment's {@code inference_protocol}. */
  static JsonObject metadata(RoutingTable.EndpointRoute ep, String version, RoutingTable.DeploymentRoute d) {
    JsonObject tensors = d == null || d.tensors == null ? new JsonObject() : d.tensors;
    JsonObject out = new JsonObject().put("name", ep.name)
        .put("versions", new JsonArray(new java.util.ArrayList<>(new TreeSet<>(ep.deployments.keySet()))))
        .put("platform", "sluice")
        .put("inputs", tensors.getJsonArray("inputs", new JsonArray()).copy())
        .put("outputs", tensors.getJsonArray("outputs", new JsonArray()).copy());
    return version == null ? out : out.put("version", version);
  }

  /**
   * An answer in the protocol's shape: a success as the script gave it; an error as {@code {"error": "..."}}
   * (Sluice's own {@code {"message": ...}}, a script's JSON {@code error} or {@code message}, or its text).
   */
  static Outcome shaped(Outcome o) {
    if (o.status() < 400) {
      return o;
    }
    String text = o.body() == null ? "" : o.body().toString();
    String message = text;
    try {
      JsonObject j = new JsonObject(text);
      if (j.getValue("error") instanceof String e) {
        return o;
      }
      message = j.getValue("message") instanceof String m ? m : text;
    } catch (RuntimeException notJson) {
      // the script's own text
    }
    Map<String, String> headers = new LinkedHashMap<>(o.headers());
    headers.put("content-type", "application/json");
    return new Outcome(o.status(), headers, Buffer.buffer(error(message.isEmpty() ? "status " + o.status()
        : message).encode()));
  }

  static JsonObject error(String message) {
    return new JsonObject().put("error", message);
  }

  private static void json(HttpServerRequest req, int status, JsonObject body) {
    req.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }
}
