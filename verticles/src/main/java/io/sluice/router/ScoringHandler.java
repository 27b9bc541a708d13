package io.sluice.router;

import io.sluice.auth.Authenticator;
import io.sluice.protocol.Headers;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The data plane's two doors, HTTP ({@code POST /endpoints/<name>/score}) and the event bus ({@code sluice.invoke}),
 * turned into one call: find the endpoint, authenticate, dispatch, and turn the {@link Outcome} back into an HTTP
 * response or an event-bus reply. The body is read as bytes within {@code limits.max_body_bytes}, never parsed.
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

  /** The endpoint of {@code POST /endpoints/<name>/score}, or null for any other request. */
  static String scoringEndpoint(HttpServerRequest req) {
    String path = req.path();
    if (req.method() != HttpMethod.POST || path == null || !path.startsWith("/endpoints/") || !path.endsWith("/score")
        || path.length() <= "/endpoints//score".length()) {
      return null;
    }
    String name = path.substring("/endpoints/".length(), path.length() - "/score".length());
    return name.indexOf('/') < 0 ? name : null;
  }

  // ---- HTTP ----------------------------------------------------------------------------------------------------

  void http(HttpServerRequest req, String endpoint) {
    String requestId = req.getHeader(Headers.REQUEST_ID);
    String clientId = req.getHeader(Headers.CLIENT_REQUEST_ID);
    if ((requestId != null && requestId.length() > 100) || (clientId != null && clientId.length() > 100)) {
      req.pause();
      respond(req, Outcome.error(431, "x-request-id and x-ms-client-request-id must be at most 100 characters"), null,
          null);
      return;
    }
    String rid = requestId == null || requestId.isEmpty() ? newRequestId() : requestId;
    String length = req.getHeader("content-length");
    if (length != null && length.length() < 19 && Long.parseLong(length) > maxBodyBytes) {
      req.pause();
      respond(req, tooLarge(), rid, clientId);
      return;
    }
    Buffer body = Buffer.buffer();
    req.handler(chunk -> {
      if (body.length() + chunk.length() > maxBodyBytes) {
        respond(req, tooLarge(), rid, clientId);
        return;
      }
      body.appendBuffer(chunk);
    });
    req.endHandler(v -> {
      if (req.response().ended()) {
        return;
      }
      Outcome out = route(endpoint, req.getHeader(Headers.MODEL_DEPLOYMENT), req.getHeader("Authorization"), rid, body,
          o -> respond(req, o, rid, clientId));
      if (out != null) {
        metrics.answered(endpoint, out.headers().getOrDefault(Headers.MODEL_DEPLOYMENT, ""), out.status(), false,
            System.nanoTime());
        respond(req, out, rid, clientId);
      }
    });
  }

  private Outcome tooLarge() {
    return Outcome.error(413, "the request body is over limits.max_body_bytes=" + maxBodyBytes);
  }

  private static void respond(HttpServerRequest req, Outcome o, String requestId, String clientId) {
    var resp = req.response();
    if (resp.ended()) {
      return;
    }
    resp.setStatusCode(o.status());
    o.headers().forEach(resp::putHeader);
    if (requestId != null) {
      resp.putHeader(Headers.REQUEST_ID, requestId);
    }
    if (clientId != null) {
      resp.putHeader(Headers.CLIENT_REQUEST_ID, clientId);
    }
    resp.end(o.body());
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
