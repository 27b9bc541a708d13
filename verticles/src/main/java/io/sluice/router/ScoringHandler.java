package io.sluice.router;

import io.sluice.auth.Authenticator;
import io.sluice.protocol.Headers;
import io.sluice.protocol.HttpParts;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The data plane's two doors, HTTP ({@code POST /endpoints/<name>/score}, and the Open Inference Protocol's
 * {@code /infer} through {@link OipDoor}) and the event bus ({@code sluice.invoke}), turned into one call: find the
 * endpoint, authenticate, dispatch, and turn the {@link Outcome} back into an HTTP response or an event-bus reply.
 * Over HTTP the decision comes before the body; the body is read as bytes within {@code limits.max_body_bytes},
 * never parsed.
 */
final class ScoringHandler {
  private final Supplier<RoutingTable> table;
  private final Authenticator auth;
  private final Dispatcher dispatcher;
  private final RouterMetrics metrics;
  private final long maxBodyBytes;

  ScoringHandler(Supplier<RoutingTable> table, Authenticator auth, Dispatcher dispatcher, RouterMetrics metrics,
                 long maxBodyBytes) {
    this.table = table;
    this.auth = auth;
    this.dispatcher = dispatcher;
    this.metrics = metrics;
    this.maxBodyBytes = maxBodyBytes;
  }

  /**
   * The endpoint of {@code POST /endpoints/<name>/score} (or GET, OPTIONS: Azure's server passes them to run() too),
   * or null for any other request.
   */
  static String scoringEndpoint(HttpServerRequest req) {
    String path = req.path();
    HttpMethod m = req.method();
    if ((m != HttpMethod.POST && m != HttpMethod.GET && m != HttpMethod.OPTIONS) || path == null
        || !path.startsWith("/endpoints/")) {
      return null;
    }
    // the deployment's API document travels like a scoring request (the key, the split, the pin)
    String tail = path.endsWith(HttpParts.SCORE) ? HttpParts.SCORE
        : m == HttpMethod.GET && path.endsWith(HttpParts.SWAGGER) ? HttpParts.SWAGGER : null;
    if (tail == null || path.length() <= "/endpoints/".length() + tail.length()) {
      return null;
    }
    String name = path.substring("/endpoints/".length(), path.length() - tail.length());
    return name.indexOf('/') < 0 ? name : null;
  }

  // ---- HTTP ----------------------------------------------------------------------------------------------------

  /**
   * Decides on the endpoint, the key and admission from the headers, before any of the body is read: a refused
   * request costs its headers only (a large body is not read at all: the connection is closed after the answer).
   * {@code Expect: 100-continue} is answered only for a request that will be served.
   */
  void http(HttpServerRequest req, String endpoint) {
    http(req, endpoint, null, UnaryOperator.identity());
  }

  /**
   * The same for another protocol's door: {@code version} pins a deployment as {@code azureml-model-deployment}
   * does (and wins over it), and every answer goes out through {@code shape} (the protocol's error bodies).
   */
  void http(HttpServerRequest req, String endpoint, String version, UnaryOperator<Outcome> shape) {
    String requestId = req.getHeader(Headers.REQUEST_ID);
    String clientId = req.getHeader(Headers.CLIENT_REQUEST_ID);
    String rid = requestId == null || requestId.isEmpty() ? newRequestId() : requestId;
    gate(new Gate(endpoint, requestId, clientId, req.getHeader("Authorization"),
        version != null ? version : req.getHeader(Headers.MODEL_DEPLOYMENT), declaredLength(req)) {
      @Override
      void refused(Outcome o) {
        boolean badIds = o.status() == 431; // ids over 100 characters are not echoed back
        refuse(req, shape.apply(o), badIds ? null : rid, badIds ? null : clientId);
      }

      @Override
      void waiting(boolean waiting) {
        if (waiting) {
          req.pause(); // a token is being checked: nothing of the body is read meanwhile
        } else {
          req.resume();
        }
      }

      @Override
      void admitted(Dispatcher.Admitted d) {
        if ("100-continue".equalsIgnoreCase(req.getHeader("expect"))) {
          req.response().writeContinue();
        }
        Inbound in = new Inbound(req, d.ep(), d, rid, clientId, shape);
        req.handler(in.as());
        req.exceptionHandler(in.as());
        req.endHandler(in.as());
      }
    });
  }

  /**
   * One admitted request while its body arrives: one object is the handler of its chunks, its end and its failure
   * (the request path allocates as little as it can). A one-chunk body (the usual case) is kept as Vert.x handed it
   * over (its own copy); more chunks go into one buffer of our own.
   */
  private final class Inbound implements Handler<Object> {
    private final HttpServerRequest req;
    private final RoutingTable.EndpointRoute ep;
    private final Dispatcher.Admitted decision;
    private final String rid;
    private final String clientId;
    private final UnaryOperator<Outcome> shape;
    private Buffer body;
    private boolean owned;
    /** The admission slot was given back or handed to the dispatcher: nothing more to do. */
    private boolean settled;

    Inbound(HttpServerRequest req, RoutingTable.EndpointRoute ep, Dispatcher.Admitted decision, String rid,
            String clientId, UnaryOperator<Outcome> shape) {
      this.shape = shape;
      this.req = req;
      this.ep = ep;
      this.decision = decision;
      this.rid = rid;
      this.clientId = clientId;
    }

    /** This one handler as the handler of chunks, of the end (a null event) and of a failure. */
    @SuppressWarnings("unchecked")
    <T> Handler<T> as() {
      return (Handler<T>) (Handler<?>) this;
    }

    @Override
    public void handle(Object event) {
      if (settled) {
        return;
      }
      if (event instanceof Buffer chunk) {
        chunk(chunk);
      } else if (event instanceof Throwable) { // the connection failed: the slot is free again
        settled = true;
        dispatcher.release(decision);
      } else {
        end();
      }
    }

    private void chunk(Buffer chunk) {
      int had = body == null ? 0 : body.length();
      if (had + chunk.length() > maxBodyBytes) { // a body without a length, or longer than it said
        settled = true;
        dispatcher.release(decision);
        refuse(req, shape.apply(tooLarge()), rid, clientId);
      } else if (body == null) {
        body = chunk;
      } else if (!owned) {
        owned = true;
        body = Buffer.buffer(had + chunk.length()).appendBuffer(body).appendBuffer(chunk);
      } else {
        body.appendBuffer(chunk);
      }
    }

    private void end() {
      settled = true;
      Dispatcher.Decision now = dispatcher.againstNow(decision, table.get());
      if (now instanceof Dispatcher.Refused r) {
        metrics.answered(ep.name, decision.target(), r.answer().status(), false, System.nanoTime());
        respond(req, shape.apply(r.outcome()), rid, clientId);
        return;
      }
      dispatcher.send((Dispatcher.Admitted) now, rid, http(req), body == null ? Buffer.buffer() : body,
          o -> respond(req, shape.apply(o), rid, clientId));
    }
  }

  /** What of the request the script may see beside its body: method, query, headers (not Authorization). */
  private static HttpParts http(HttpServerRequest req) {
    String query = req.query();
    String path = req.path();
    return new HttpParts(req.method().name(), path.endsWith(HttpParts.SWAGGER) ? HttpParts.SWAGGER : HttpParts.SCORE,
        query, new ForwardedHeaders(req.headers()));
  }

  /** Content-Length, or -1 without one (chunked); an unreadable one counts as too large. */
  private static long declaredLength(HttpServerRequest req) {
    String length = req.getHeader("content-length");
    if (length == null) {
      return -1;
    }
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * Answers a refused request. A body still to come is not read: a small one (up to {@link #DRAIN_BYTES}) is let
   * through and dropped so the connection stays usable; anything larger closes the connection after the answer.
   */
  private static void refuse(HttpServerRequest req, Outcome o, String requestId, String clientId) {
    long declared = declaredLength(req);
    boolean cut = !req.isEnded() && (declared < 0 || declared > DRAIN_BYTES) && req.version() != HttpVersion.HTTP_2;
    if (!cut) { // (HTTP/2 flow control bounds what an unread stream can send)
      respond(req, o, requestId, clientId);
      return;
    }
    req.response().putHeader("connection", "close");
    respond(req, o, requestId, clientId).onComplete(ar -> req.connection().close());
  }

  /** A refused request's body up to this size is read and dropped; a larger one closes the connection. */
  static final long DRAIN_BYTES = 64 * 1024;

  private Outcome tooLarge() {
    return Outcome.error(413, "the request body is over limits.max_body_bytes=" + maxBodyBytes);
  }

  private static Future<Void> respond(HttpServerRequest req, Outcome o, String requestId, String clientId) {
    var resp = req.response();
    if (resp.ended()) {
      if (o.rest() != null) {
        o.rest().cancel(); // nobody will read it
      }
      return Future.succeededFuture();
    }
    resp.setStatusCode(o.status());
    o.headers().forEach(resp::putHeader);
    if (requestId != null) {
      resp.putHeader(Headers.REQUEST_ID, requestId).putHeader(Headers.MS_REQUEST_ID, requestId);
    }
    if (clientId != null) {
      resp.putHeader(Headers.CLIENT_REQUEST_ID, clientId);
    }
    if (o.rest() != null) {
      StreamedResponse.send(req, o);
      return Future.succeededFuture();
    }
    return resp.end(o.body());
  }

  /** A random (version 4) UUID from a thread-local generator: UUID.randomUUID's SecureRandom is slow per request. */
  static String newRequestId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long hi = (r.nextLong() & 0xffffffffffff0fffL) | 0x0000000000004000L;
    long lo = (r.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
    return new UUID(hi, lo).toString();
  }

  // ---- event bus ----------------------------------------------------------------------------------------------

  /**
   * {endpoint, deployment?, authorization ("Bearer …" or the bare key), body, request_id?}: the same gate as HTTP
   * (the ids, the endpoint, the key, the body's size, admission, each counted in the metrics alike), then the same
   * dispatch. 200 is replied {status, deployment, request_id, body}; anything else fails with its status.
   */
  void eventBus(Message<JsonObject> m) {
    JsonObject q = m.body();
    String requestId = q.getString("request_id");
    String rid = requestId == null || requestId.isEmpty() ? newRequestId() : requestId;
    String authorization = q.getString("authorization");
    if (authorization != null && !authorization.startsWith("Bearer ")) {
      authorization = "Bearer " + authorization;
    }
    Object b = q.getValue("body");
    Buffer body = b instanceof Buffer buf ? buf : Buffer.buffer(b == null ? "" : String.valueOf(b));
    Consumer<Outcome> reply = o -> {
      if (o.status() == 200) {
        m.reply(new JsonObject().put("status", 200).put("deployment", o.headers().get(Headers.MODEL_DEPLOYMENT))
            .put("request_id", rid).put("body", o.body().toString()));
      } else {
        m.fail(o.status(), o.body().toString());
      }
    };
    whole(q.getString("endpoint"), q.getString("deployment"), authorization, requestId, rid, body, reply);
  }

  /**
   * A request whose body is already whole (the event bus, gRPC): the same gate, then a POST to the script.
   * {@code rid}: the request id to use (the caller's, or a new one).
   */
  void whole(String endpoint, String pinned, String authorization, String requestId, String rid, Buffer body,
             Consumer<Outcome> whole) {
    Consumer<Outcome> reply = o -> o.whole(whole); // these doors answer whole: a stream is gathered first
    gate(new Gate(endpoint, requestId, null, authorization, pinned, body.length()) {
      @Override
      void refused(Outcome o) {
        reply.accept(o);
      }

      @Override
      void admitted(Dispatcher.Admitted d) {
        dispatcher.send(d, rid, HttpParts.POST, body, reply);
      }
    });
  }

  // ---- both ----------------------------------------------------------------------------------------------------

  /** What a door knows of a request before its body, and what it does with the gate's decision. */
  private abstract static class Gate {
    final String endpoint;
    final String requestId;
    final String clientId;
    final String authorization;
    final String pinned;
    /** The body's length as declared (HTTP) or known (event bus); -1 when not known yet. */
    final long length;

    Gate(String endpoint, String requestId, String clientId, String authorization, String pinned, long length) {
      this.endpoint = endpoint;
      this.requestId = requestId;
      this.clientId = clientId;
      this.authorization = authorization;
      this.pinned = pinned;
      this.length = length;
    }

    /** The request is refused: answer {@code o}. */
    abstract void refused(Outcome o);

    /** The request is admitted: its slot is held until it is sent or released. */
    abstract void admitted(Dispatcher.Admitted d);

    /** A key check is under way (true) or over (false): HTTP stops reading the body meanwhile. */
    void waiting(boolean waiting) {
    }
  }

  /**
   * The steps both doors take, in order, each refusal counted in the metrics the same way: the ids (431), the
   * endpoint (404, one metric label for every unknown name), the key (401), the body's size (413), admission
   * (404, 429, 503). Key checks complete at once, so a key-authenticated request stays on this call stack.
   */
  private void gate(Gate g) {
    if ((g.requestId != null && g.requestId.length() > 100) || (g.clientId != null && g.clientId.length() > 100)) {
      g.refused(Outcome.error(431, "x-request-id and x-ms-client-request-id must be at most 100 characters"));
      return;
    }
    RoutingTable.EndpointRoute ep = g.endpoint == null ? null : table.get().endpoints.get(g.endpoint);
    if (ep == null) { // one label value for every unknown name: a caller cannot grow the metrics
      metrics.answered(RouterMetrics.UNKNOWN_ENDPOINT, "", 404, false, System.nanoTime());
      g.refused(Outcome.error(404, "endpoint '" + g.endpoint + "' not found"));
      return;
    }
    Future<Void> allowed = auth.check(ep.credentials, g.authorization);
    if (allowed.isComplete()) {
      admit(g, ep, allowed.failed() ? allowed.cause() : null);
    } else {
      g.waiting(true);
      allowed.onComplete(ar -> {
        admit(g, ep, ar.failed() ? ar.cause() : null);
        g.waiting(false);
      });
    }
  }

  private void admit(Gate g, RoutingTable.EndpointRoute ep, Throwable denied) {
    if (denied != null) {
      metrics.answered(ep.name, "", 401, false, System.nanoTime());
      g.refused(Outcome.error(401, denied.getMessage()));
      return;
    }
    if (g.length > maxBodyBytes) {
      g.refused(tooLarge());
      return;
    }
    Dispatcher.Decision d = dispatcher.decide(ep, g.pinned);
    if (d instanceof Dispatcher.Refused r) {
      metrics.answered(ep.name, r.deployment() == null ? "" : r.deployment(), r.answer().status(), false,
          System.nanoTime());
      g.refused(r.outcome());
      return;
    }
    g.admitted((Dispatcher.Admitted) d);
  }
}
