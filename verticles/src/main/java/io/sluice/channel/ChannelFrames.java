package io.sluice.channel;

import io.sluice.protocol.Answer;
import io.sluice.protocol.HttpParts;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The scoring channel's frames: a 4-byte length (of what follows), a 1-byte type, the payload. Strings are a 4-byte
 * length (-1: null) and UTF-8; a body is whatever follows the last field. Pure: encodes to and decodes from buffers.
 * <pre>
 * HELLO  client→server  nonce(32)                  the client speaks first: it has its handlers in place
 * READY  server→client  nonce(32) mac(32)          mac = HMAC(channel key, "server", server nonce, client nonce)
 * PROOF  client→server  mac(32)                    mac = HMAC(channel key, "client", server nonce, client nonce)
 * CALL   client→server  id(8) flags(1) instance requestId method path query headers(n, k, v...) body
 * ANSWER server→client  id(8) status(4) flags(1) runMs(8) queueMs(8) contentType headers(n, k, v...) body
 * FAILED server→client  id(8) code(4) message       code 404: no such instance here; 503: refused, never ran;
 *                                                  500: failed once it may have run
 * STREAM server→client  as ANSWER                    a streamed answer: the body is its first chunk
 * MORE   client→server  id(8) n(4)                  the router takes n more chunks of stream id (its credit)
 * CHUNK  server→client  id(8) bytes                 the next chunk, one per credit
 * END    server→client  id(8) failure               the stream's end; failure null, or why it broke
 * CANCEL client→server  id(8)                      the router's client went away: the stream is stopped
 * </pre>
 * An ANSWER, a STREAM or a FAILED is an {@link Answer} ({@link #answer(long, Answer)}, {@link #reply}); runMs and
 * queueMs are doubles (milliseconds). A stream's chunks are sent only against credit, so a slow client slows the
 * script on the other node, and neither side holds more than its credit's worth.
 */
public final class ChannelFrames {
  public static final byte HELLO = 1;
  public static final byte PROOF = 2;
  public static final byte READY = 3;
  public static final byte CALL = 4;
  public static final byte ANSWER = 5;
  public static final byte FAILED = 6;
  public static final byte STREAM = 7;
  public static final byte MORE = 8;
  public static final byte CHUNK = 9;
  public static final byte END = 10;
  public static final byte CANCEL = 11;

  static final int REDIRECTABLE = 1;
  static final int MIRROR = 2;
  static final int RUNTIME = 1;
  static final int MADE = 2;

  private ChannelFrames() {
  }

  /** A request to an instance on the channel's node. */
  public record Call(long id, String instance, String requestId, HttpParts http, boolean redirectable,
                     boolean mirror, Buffer body) {
  }

  /** What became of call {@code id}, read from an ANSWER, a STREAM (whose rest is to come) or a FAILED frame. */
  public record Reply(long id, Answer answer, boolean streamed) {
  }

  /** A CHUNK (bytes) or an END (bytes null; {@code failure} null: the stream ended well). */
  public record Piece(long id, Buffer bytes, String failure) {
  }

  public static Buffer hello(byte[] nonce) {
    return end(frame(HELLO).appendBytes(nonce));
  }

  public static Buffer ready(byte[] nonce, byte[] mac) {
    return end(frame(READY).appendBytes(nonce).appendBytes(mac));
  }

  public static Buffer proof(byte[] mac) {
    return end(frame(PROOF).appendBytes(mac));
  }

  public static Buffer call(Call c) {
    return call(c, Buffer.buffer(256));
  }

  /** Appends a CALL frame to {@code b} (several calls may share one write). */
  public static Buffer call(Call c, Buffer b) {
    int start = b.length();
    b.appendInt(0).appendByte(CALL).appendLong(c.id())
        .appendByte((byte) ((c.redirectable() ? REDIRECTABLE : 0) | (c.mirror() ? MIRROR : 0)));
    str(b, c.instance());
    str(b, c.requestId());
    str(b, c.http().method());
    str(b, c.http().path());
    str(b, c.http().query());
    headers(b, c.http().headers());
    b.appendBuffer(c.body());
    return b.setInt(start, b.length() - start - 4);
  }

  /** What became of call {@code id}: an ANSWER frame when the instance answered, else a FAILED frame. */
  public static Buffer answer(long id, Answer answer) {
    if (answer instanceof Answer.Answered a) {
      Buffer b = frame(a.rest() != null ? STREAM : ANSWER).appendLong(id).appendInt(a.status())
          .appendByte((byte) ((a.runtime() ? RUNTIME : 0) | (a.made() ? MADE : 0)))
          .appendDouble(a.runMs()).appendDouble(a.queueMs());
      str(b, a.contentType());
      headers(b, a.headers());
      return end(b.appendBuffer(a.body()));
    }
    Buffer b = frame(FAILED).appendLong(id);
    if (answer instanceof Answer.NeverRan n) {
      str(b.appendInt(503), n.reason());
    } else if (answer instanceof Answer.Failed f) {
      str(b.appendInt(500), f.reason());
    } else {
      Answer.Refused r = (Answer.Refused) answer;
      str(b.appendInt(r.status()), r.reason());
    }
    return end(b);
  }

  public static Buffer more(long id, int n) {
    return end(frame(MORE).appendLong(id).appendInt(n));
  }

  public static Buffer cancel(long id) {
    return end(frame(CANCEL).appendLong(id));
  }

  public static Buffer chunk(long id, byte[] bytes) {
    return end(frame(CHUNK).appendLong(id).appendBytes(bytes));
  }

  public static Buffer end(long id, String failure) {
    Buffer b = frame(END).appendLong(id);
    str(b, failure);
    return end(b);
  }

  /** Decodes a CHUNK or an END payload. */
  public static Piece piece(byte type, Buffer p) {
    Reader r = new Reader(p);
    long id = r.lng();
    return type == CHUNK ? new Piece(id, r.rest(), null) : new Piece(id, null, r.str());
  }

  /** The stream a MORE or a CANCEL payload names. */
  public static long streamId(Buffer p) {
    return new Reader(p).lng();
  }

  /** The credit a MORE payload gives: 1 to 64 chunks, else malformed. */
  public static int credit(Buffer p) {
    int n = p.getInt(8);
    if (n < 1 || n > 64) {
      throw new IllegalArgumentException("a credit of " + n + " chunks");
    }
    return n;
  }

  /** Decodes a CALL payload (the frame without its length and type). */
  public static Call call(Buffer p) {
    Reader r = new Reader(p);
    long id = r.lng();
    int flags = r.bite();
    String instance = r.str();
    String requestId = r.str();
    HttpParts http = new HttpParts(r.str(), r.str(), r.str(), r.headers());
    return new Call(id, instance, requestId, http, (flags & REDIRECTABLE) != 0, (flags & MIRROR) != 0, r.rest());
  }

  /** Decodes an ANSWER or a FAILED payload; any other type is malformed. */
  public static Reply reply(byte type, Buffer p) {
    Reader r = new Reader(p);
    long id = r.lng();
    if (type == FAILED) {
      int code = r.integer();
      String message = r.str();
      // 404 (no such instance here) and 503 (refused or given back unrun) never ran
      return new Reply(id, code == 404 || code == 503 ? new Answer.NeverRan(message)
          : new Answer.Failed(false, message), false);
    }
    if (type != ANSWER && type != STREAM) {
      throw new IllegalArgumentException("not an answer frame: type " + type);
    }
    int status = r.integer();
    int flags = r.bite();
    double runMs = r.dbl();
    double queueMs = r.dbl();
    return new Reply(id, new Answer.Answered(status, (flags & RUNTIME) != 0, (flags & MADE) != 0, runMs, queueMs,
        r.str(), r.headers(), r.rest()), type == STREAM);
  }

  private static Buffer frame(byte type) {
    return Buffer.buffer(256).appendInt(0).appendByte(type);
  }

  private static Buffer end(Buffer b) {
    return b.setInt(0, b.length() - 4);
  }

  private static void str(Buffer b, String s) {
    if (s == null) {
      b.appendInt(-1);
      return;
    }
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    b.appendInt(bytes.length).appendBytes(bytes);
  }

  private static void headers(Buffer b, Map<String, String> headers) {
    int at = b.length();
    b.appendInt(0);
    int n = 0;
    for (Map.Entry<String, String> h : headers.entrySet()) {
      str(b, h.getKey());
      str(b, h.getValue());
      n++;
    }
    b.setInt(at, n);
  }

  /** Reads fields in order; a field running past the payload is a malformed frame (IndexOutOfBoundsException). */
  private static final class Reader {
    private final Buffer b;
    private int at;

    Reader(Buffer b) {
      this.b = b;
    }

    long lng() {
      long v = b.getLong(at);
      at += 8;
      return v;
    }

    double dbl() {
      double v = b.getDouble(at);
      at += 8;
      return v;
    }

    int integer() {
      int v = b.getInt(at);
      at += 4;
      return v;
    }

    int bite() {
      return b.getByte(at++);
    }

    String str() {
      int n = integer();
      if (n < 0) {
        return null;
      }
      if (n > b.length() - at) {
        throw new IndexOutOfBoundsException("a string runs past the frame");
      }
      String s = b.getString(at, at + n, "UTF-8");
      at += n;
      return s;
    }

    Map<String, String> headers() {
      int n = integer();
      if (n < 0 || n > (b.length() - at) / 8) {
        throw new IndexOutOfBoundsException("header count " + n + " does not fit the frame");
      }
      Map<String, String> out = n == 0 ? Map.of() : new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        out.put(str(), str());
      }
      return out;
    }

    Buffer rest() {
      return b.slice(at, b.length());
    }
  }
}
