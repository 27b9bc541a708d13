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

/**
 * The data plane's two doors, HTTP ({@code POST /endpoints/<name>/score}) and the event bus ({@code sluice.invoke}),
 * turned into one call: find the endpoint, authenticate, dispatch, and turn the {@link Outcome} back into an HTTP
 * response or an event-bus reply. Over HTTP the decision comes before the body; the body is read as bytes within
 * {@code limits.max_body_bytes}, never parsed.
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
    String requestId = req.getHeader(Headers.REQUEST_ID);
    String clientId = req.getHeader(Headers.CLIENT_REQUEST_ID);
    if ((requestId != null && requestId.length() > 100) || (clientId != null && clientId.length() > 100)) {
      refuse(req, Outcome.error(431, "x-request-id and x-ms-client-request-id must be at most 100 characters"), null,
          null);
      return;
    }
    String rid = requestId == null || requestId.isEmpty() ? newRequestId() : requestId;
    RoutingTable.EndpointRoute ep = table.get().endpoints.get(endpoint);
    if (ep == null) { // one label value for every unknown name: a caller cannot grow the metrics
      metrics.answered(RouterMetrics.UNKNOWN_ENDPOINT, "", 404, false, System.nanoTime());
      refuse(req, Outcome.error(404, "endpoint '" + endpoint + "' not found"), rid, clientId);
      return;
    }
    Future<Void> allowed = auth.check(ep.credentials, req.getHeader("Authorization"));
    if (allowed.isComplete()) {
      admit(req, ep, allowed.failed() ? allowed.cause() : null, rid, clientId);
    } else {
      req.pause(); // a token is being checked: nothing of the body is read meanwhile
      allowed.onComplete(ar -> {
        admit(req, ep, ar.failed() ? ar.cause() : null, rid, clientId);
        req.resume();
      });
    }
  }

  private void admit(HttpServerRequest req, RoutingTable.EndpointRoute ep, Throwable denied, String rid,
                     String clientId) {
    if (denied != null) {
      metrics.answered(ep.name, "", 401, false, System.nanoTime());
      refuse(req, Outcome.error(401, denied.getMessage()), rid, clientId);
      return;
    }
    if (declaredLength(req) > maxBodyBytes) {
      refuse(req, tooLarge(), rid, clientId);
      return;
    }
    Dispatcher.Decision d = dispatcher.decide(ep, req.getHeader(Headers.MODEL_DEPLOYMENT));
    if (d.refusal() != null) {
      metrics.answered(ep.name, d.refusal().headers().getOrDefault(Headers.MODEL_DEPLOYMENT, ""),
          d.refusal().status(), false, System.nanoTime());
      refuse(req, d.refusal(), rid, clientId);
      return;
    }
    if ("100-continue".equalsIgnoreCase(req.getHeader("expect"))) {
      req.response().writeContinue();
    }
    Inbound in = new Inbound(req, ep, d, rid, clientId);
    req.handler(in.as());
    req.exceptionHandler(in.as());
    req.endHandler(in.as());
  }

  /**
   * One admitted request while its body arrives: one object is the handler of its chunks, its end and its failure
   * (the request path allocates as little as it can). A one-chunk body (the usual case) is kept as Vert.x handed it
   * over (its own copy); more chunks go into one buffer of our own.
   */
  private final class Inbound implements Handler<Object> {
    private final HttpServerRequest req;
    private final RoutingTable.EndpointRoute ep;
    private final Dispatcher.Decision decision;
    private final String rid;
    private final String clientId;
    private Buffer body;
    private boolean owned;
    /** The admission slot was given back or handed to the dispatcher: nothing more to do. */
    private boolean settled;

    Inbound(HttpServerRequest req, RoutingTable.EndpointRoute ep, Dispatcher.Decision decision, String rid,
            String clientId) {
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
        refuse(req, tooLarge(), rid, clientId);
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
      if (now.refusal() != null) {
        metrics.answered(ep.name, decision.target(), now.refusal().status(), false, System.nanoTime());
        respond(req, now.refusal(), rid, clientId);
        return;
      }
      dispatcher.send(now, rid, http(req), body == null ? Buffer.buffer() : body, o -> respond(req, o, rid,
          clientId));
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
    return resp.end(o.body());
  }

  /** A random (version 4) UUID from a thread-local generator: UUID.randomUUID's SecureRandom is slow per request. */
  static String newRequestId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long hi = (r.nextLong() & 0xffffffffffff0fffL) | 0x0000000000004000L;
    long lo = (r.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
    return new UUID(hi, lo).toString();
  }

  // ---- event bus -----------------------------------------------------------------------------------------------

  /** {endpoint, deployment?, authorization ("Bearer …" or the bare key), body, request_id?}: same path as HTTP. */
  void eventBus(Message<JsonObject> m) {
    JsonObject q = m.body();
    String rid = q.getString("request_id", newRequestId());
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
    Outcome now = route(q.getString("endpoint"), q.getString("deployment"), authorization, rid, body, reply);
    if (now != null) {
      reply.accept(now);
    }
  }

  // ---- both ----------------------------------------------------------------------------------------------------

  /**
   * Returns an outcome at once when the request is refused; otherwise returns null and calls {@code done} with
   * the answer. Key checks complete at once, so a key-authenticated request stays on this call stack.
   */
  private Outcome route(String endpoint, String pinned, String authorization, String requestId, Buffer body,
                        Consumer<Outcome> done) {
    RoutingTable.EndpointRoute ep = table.get().endpoints.get(endpoint);
    if (ep == null) {
      return Outcome.error(404, "endpoint '" + endpoint + "' not found");
    }
    Future<Void> allowed = auth.check(ep.credentials, authorization);
    if (allowed.isComplete()) {
      return allowed.failed() ? Outcome.error(401, allowed.cause().getMessage())
          : dispatcher.dispatch(ep, pinned, requestId, body, done);
    }
    allowed.onComplete(ar -> {
      Outcome now = ar.failed() ? Outcome.error(401, ar.cause().getMessage())
          : dispatcher.dispatch(ep, pinned, requestId, body, done);
      if (now != null) {
        done.accept(now);
      }
    });
    return null;
  }
}
