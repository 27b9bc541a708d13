package io.sluice.collect;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.sluice.collect.CollectedRecords.Payload;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes collected records as JSON lines into one reusable buffer: the writer thread of a busy instance turns tens of
 * thousands of records a second into bytes, so nothing here allocates per record but what escaping an unusual string
 * needs. The fields and their order are {@link CollectedRecords}'s; a compact JSON payload is copied in as it came.
 * One encoder per writer thread (not thread-safe).
 */
final class LineEncoder {
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
      .withZone(ZoneOffset.UTC);
  private final byte[] source;
  private byte[] buf = new byte[4096];
  private int len;
  private long second = Long.MIN_VALUE;
  private byte[] secondText;
  private String lastType;
  private byte[] lastTypeJson;

  LineEncoder(String endpoint, String deployment) {
    source = ("/endpoints/" + endpoint + "/deployments/" + deployment).getBytes(StandardCharsets.UTF_8);
  }

  /** Encodes the record (the payload named by {@code dataref} when it is beside) and writes it to {@code out}. */
  void write(Payload p, String dataref, OutputStream out) throws IOException {
    len = 0;
    raw("{\"specversion\":\"1.0\",\"id\":\"");
    uuid();
    raw("\",\"source\":");
    string(source);
    raw(",\"type\":\"azureml.inference.");
    text(p.collection());
    raw("\",\"time\":\"");
    time(p.epochMillis());
    raw("\",\"datacontenttype\":");
    contentType(p.contentType() == null ? "application/json" : p.contentType());
    byte[] body = p.body();
    if (dataref != null) {
      raw(",\"dataref\":");
      string(dataref);
    } else if (CollectedRecords.compactJson(body)) {
      raw(",\"data\":");
      bytes(body, 0, body.length);
    } else {
      String utf8 = CollectedRecords.utf8(body);
      if (utf8 == null) {
        raw(",\"data\":\"");
        bytes(java.util.Base64.getEncoder().encode(body));
        raw("\",\"dataencoding\":\"base64\"");
      } else {
        raw(",\"data\":");
        String compact = CollectedRecords.compacted(utf8);
        if (compact != null) {
          text(compact);
        } else {
          string(utf8);
        }
      }
    }
    raw(",\"correlationid\":");
    int id = len;
    string(p.requestId());
    int idLength = len - id;
    raw(",\"xrequestid\":");
    room(idLength);
    System.arraycopy(buf, id, buf, len, idLength); // the same id, encoded once
    len += idLength;
    raw(",\"contentrange\":\"bytes 0-");
    number(Math.max(0, body.length - 1));
    raw("/");
    number(body.length);
    raw("\"");
    if (p.status() > 0) {
      raw(",\"statuscode\":");
      number(p.status());
    }
    if (p.headers() != null && !p.headers().isEmpty()) {
      raw(",\"headers\":{");
      boolean first = true;
      for (Map.Entry<String, String> h : p.headers().entrySet()) {
        raw(first ? "" : ",");
        first = false;
        string(h.getKey());
        raw(":");
        string(h.getValue());
      }
      raw("}");
    }
    raw("}\n");
    out.write(buf, 0, len);
  }

  /** A content type as a JSON string: nearly always the one before, whose encoding is kept. */
  private void contentType(String type) {
    if (type != lastType && !type.equals(lastType)) {
      int at = len;
      string(type);
      lastType = type;
      lastTypeJson = Arrays.copyOfRange(buf, at, len);
      return;
    }
    bytes(lastTypeJson);
  }

  private void room(int n) {
    if (len + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }
  }

  /** ASCII that needs no escaping (keys, punctuation, numbers, names Sluice checked). */
  private void raw(String s) {
    text(s);
  }

  @SuppressWarnings("deprecation") // the low byte of each char is what ASCII needs, and this copy is the fast one
  private void text(String s) {
    int n = s.length();
    room(n);
    s.getBytes(0, n, buf, len);
    len += n;
  }

  private void number(long v) {
    if (v < 0) {
      room(1);
      buf[len++] = '-';
      v = -v;
    }
    int digits = 1;
    for (long t = v; t >= 10; t /= 10) {
      digits++;
    }
    room(digits);
    for (int i = digits - 1; i >= 0; i--) {
      buf[len + i] = (byte) ('0' + v % 10);
      v /= 10;
    }
    len += digits;
  }

  private void bytes(byte[] b) {
    bytes(b, 0, b.length);
  }

  private void bytes(byte[] b, int off, int n) {
    room(n);
    System.arraycopy(b, off, buf, len, n);
    len += n;
  }

  /** A JSON string of bytes known to need no escaping. */
  private void string(byte[] plain) {
    room(plain.length + 2);
    buf[len++] = '"';
    bytes(plain);
    buf[len++] = '"';
  }

  /** A JSON string: printable ASCII as it is, anything else escaped by Jackson. */
  private void string(String s) {
    boolean plain = true;
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
        plain = false;
        break;
      }
    }
    room(2);
    buf[len++] = '"';
    if (plain) {
      text(s);
    } else {
      bytes(JsonStringEncoder.getInstance().quoteAsUTF8(s));
    }
    room(1);
    buf[len++] = '"';
  }

  /** 8-4-4-4-12 hex digits of a random version-4 UUID. */
  private void uuid() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long hi = (r.nextLong() & ~0xF000L) | 0x4000L;
    long lo = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    room(36);
    hex(hi >>> 32, 8);
    buf[len++] = '-';
    hex(hi >>> 16, 4);
    buf[len++] = '-';
    hex(hi, 4);
    buf[len++] = '-';
    hex(lo >>> 48, 4);
    buf[len++] = '-';
    hex(lo, 12);
  }

  private void hex(long v, int digits) {
    for (int i = digits - 1; i >= 0; i--) {
      buf[len + i] = HEX[(int) (v & 0xF)];
      v >>>= 4;
    }
    len += digits;
  }

  /** ISO-8601 UTC with milliseconds; the second's text is made once a second. */
  private void time(long epochMillis) {
    long s = Math.floorDiv(epochMillis, 1000);
    if (s != second) {
      second = s;
      secondText = SECOND.format(Instant.ofEpochSecond(s)).getBytes(StandardCharsets.US_ASCII);
    }
    bytes(secondText);
    int ms = (int) Math.floorMod(epochMillis, 1000);
    room(5);
    buf[len++] = '.';
    buf[len++] = (byte) ('0' + ms / 100);
    buf[len++] = (byte) ('0' + ms / 10 % 10);
    buf[len++] = (byte) ('0' + ms % 10);
    buf[len++] = 'Z';
  }
}
