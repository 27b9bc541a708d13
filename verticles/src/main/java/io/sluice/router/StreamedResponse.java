package io.sluice.router;

import io.sluice.protocol.Streams;
import io.sluice.scorer.ChunkStream;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * A streamed answer written to its HTTP client as it comes: chunked transfer with each of the script's items as a
 * chunk, or, when the client asked for {@code Accept: text/event-stream}, one server-sent event ({@code data:}) per
 * item. The next item is pulled only once the response can take it (its write queue is not full), so a slow client
 * slows the script and the node holds at most a chunk per stream. A client that goes away cancels the stream. A
 * stream that breaks after it began ends with an {@code event: error} (SSE) or an aborted body (chunked: the
 * connection is closed, or the HTTP/2 stream reset, before the last chunk, so the client sees it incomplete).
 * Router event loop only.
 */
final class StreamedResponse {
  private final HttpServerRequest req;
  private final HttpServerResponse resp;
  private final ChunkStream rest;
  private final boolean events;
  private boolean over;

  private StreamedResponse(HttpServerRequest req, ChunkStream rest, boolean events) {
    this.req = req;
    this.resp = req.response();
    this.rest = rest;
    this.events = events;
  }

  /** Whether the client asked for server-sent events. */
  static boolean wantsEvents(HttpServerRequest req) {
    String accept = req.getHeader("accept");
    return accept != null && accept.toLowerCase(java.util.Locale.ROOT).contains("text/event-stream");
  }

  /** Starts the response of {@code o}, whose headers are set already: its first chunk, then the rest. */
  static void send(HttpServerRequest req, Outcome o) {
    StreamedResponse s = new StreamedResponse(req, o.rest(), wantsEvents(req));
    s.start(o.body());
  }

  private void start(Buffer first) {
    if (events) {
      resp.putHeader("content-type", "text/event-stream").putHeader("cache-control", "no-cache");
    }
    resp.setChunked(true);
    resp.closeHandler(v -> cancel());
    resp.exceptionHandler(err -> cancel());
    if (resp.closed()) { // the client left before the answer began
      cancel();
      return;
    }
    write(first);
    pull();
  }

  private void pull() {
    if (over) {
      return;
    }
    Streams.drive(rest, (b, err) -> {
      if (over) {
        return false;
      }
      if (err != null) {
        broke(Streams.message(err));
        return false;
      }
      if (b == null) {
        over = true;
        resp.end();
        return false;
      }
      write(Buffer.buffer(b));
      if (resp.writeQueueFull()) { // the client is slower than the script: the next chunk waits for it
        resp.drainHandler(v -> {
          resp.drainHandler(null);
          pull();
        });
        return false;
      }
      return true;
    });
  }

  private void write(Buffer chunk) {
    if (chunk.length() == 0) {
      return; // an empty chunk would end a chunked body
    }
    resp.write(events ? event(null, chunk) : chunk);
  }

  /** The stream broke after it began: the client must not take what it got for a whole answer. */
  private void broke(String reason) {
    over = true;
    if (events) {
      resp.end(event("error", Buffer.buffer(new io.vertx.core.json.JsonObject().put("message", reason).encode())));
    } else if (req.version() == HttpVersion.HTTP_2) {
      resp.reset();
    } else {
      req.connection().close();
    }
  }

  private void cancel() {
    if (!over) {
      over = true;
      rest.cancel();
    }
  }

  /**
   * One server-sent event: each line of the chunk a {@code data:} line (a JSON line's own newline is the event's
   * end), an {@code event:} line first when named.
   */
  static Buffer event(String name, Buffer chunk) {
    String text = chunk.toString(StandardCharsets.UTF_8);
    if (text.endsWith("\n")) {
      text = text.substring(0, text.length() - 1);
    }
    StringBuilder sb = new StringBuilder(text.length() + 16);
    if (name != null) {
      sb.append("event: ").append(name).append('\n');
    }
    for (String line : text.split("\r\n|\r|\n", -1)) {
      sb.append("data: ").append(line).append('\n');
    }
    return Buffer.buffer(sb.append('\n').toString());
  }
}
