package io.sluice.scorer.python;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.JsonGenerator;
import io.sluice.scorer.ScoreRequest;
import io.sluice.scorer.ScoreResult;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * What Java and sluice_runner.py say to each other: frames of a 4-byte length and bytes, a JSON header frame then
 * a body frame each way (see sluice_runner.py); and what a worker reads of its process from the outside.
 */
final class RunnerFrames {
  static final ObjectMapper JSON = new ObjectMapper();

  private RunnerFrames() {
  }

  /**
   * The script's collected records the runner says were dropped since its last reply ({@code "dropped": {name: n}},
   * on any reply, pings' too), handed on; anything else in that field is ignored.
   */
  static void dropped(JsonNode header, java.util.function.ObjLongConsumer<String> to) {
    JsonNode d = header.get("dropped");
    if (d == null || !d.isObject()) {
      return;
    }
    d.fields().forEachRemaining(e -> {
      if (e.getValue().canConvertToLong() && e.getValue().asLong() > 0) {
        to.accept(e.getKey(), e.getValue().asLong());
      }
    });
  }

  static byte[] read(DataInputStream in) throws IOException {
    int n = in.readInt();
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }

  static void write(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  /**
   * A request's header: sequence, request id, headers (x-request-id among them), method, path and query, and
   * {@code notAfter} (epoch seconds past which the runner refuses it unrun; 0: none). Streamed, not built as a tree:
   * this runs on the caller's thread for every request.
   */
  static byte[] request(long seq, ScoreRequest r, double notAfter, boolean headers) throws IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(256 + 64 * r.headers().size());
    try (JsonGenerator g = JSON.getFactory().createGenerator(bytes)) {
      g.writeStartObject();
      g.writeNumberField("seq", seq);
      describe(g, r, headers);
      if (notAfter > 0) {
        g.writeNumberField("not_after", notAfter);
      }
      g.writeEndObject();
    }
    return bytes.toByteArray();
  }

  /** A batch's header: sequence, and per request what {@link #request} gives; a body frame per request follows. */
  static byte[] batch(long seq, java.util.List<ScoreRequest> requests, boolean headers) throws IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(256 * requests.size());
    try (JsonGenerator g = JSON.getFactory().createGenerator(bytes)) {
      g.writeStartObject();
      g.writeNumberField("seq", seq);
      g.writeArrayFieldStart("batch");
      for (ScoreRequest r : requests) {
        g.writeStartObject();
        describe(g, r, headers);
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    return bytes.toByteArray();
  }

  /** {@code headers}: the script reads them; otherwise they are left out (the request id travels as "id"). */
  private static void describe(JsonGenerator g, ScoreRequest r, boolean headers) throws IOException {
    g.writeStringField("id", r.requestId());
    if (headers) {
      g.writeObjectFieldStart("headers");
      for (java.util.Map.Entry<String, String> h : r.headers().entrySet()) {
        if (!h.getKey().equalsIgnoreCase("x-request-id")) {
          g.writeStringField(h.getKey(), h.getValue());
        }
      }
      g.writeStringField("x-request-id", r.requestId());
      g.writeEndObject();
    }
    g.writeStringField("method", r.method());
    g.writeStringField("path", "/score");
    g.writeStringField("query", r.query());
  }

  /** The bytes of a frame pair (header, body) as written: what may sit unread in a process's pipe. */
  static int size(byte[] header, byte[] body) {
    return 8 + header.length + body.length;
  }

  /**
   * One answer of the runner: the script's status, headers (its Content-Type among them) and bytes; {@code reply}
   * is the reply, or for a batch the element of its "batch" array (whose run time is the batch's); {@code rest}: a
   * stream's chunks after {@code body}, or null.
   */
  static ScoreResult answer(JsonNode reply, byte[] body, double runMs, double waited,
                            io.sluice.scorer.ChunkStream rest) {
    java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
    String type = "application/json";
    for (var it = reply.path("headers").fields(); it.hasNext(); ) {
      var h = it.next();
      if (h.getKey().equalsIgnoreCase("content-type")) {
        type = h.getValue().asText();
      } else {
        headers.put(h.getKey(), h.getValue().asText());
      }
    }
    return new ScoreResult(reply.path("status").asInt(500), body, type, runMs, waited, false,
        headers, reply.path("raw").asBoolean(false), rest);
  }

  /** VmRSS of a process, from /proc (0 where there is none). */
  static long residentBytes(long pid) {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc", String.valueOf(pid),
          "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // gone already, or not Linux
    }
    return 0;
  }

  static String exitCode(Process process) {
    try {
      return process.waitFor(2, TimeUnit.SECONDS) ? String.valueOf(process.exitValue()) : "still running";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  /**
   * Ends a process whose conversation is over: one that is exiting by itself is given a moment, else it is killed
   * through its handle (which, unlike {@code Process.destroy}, leaves its pipes for the log thread to read to the
   * end: a crash's last lines reach the log).
   */
  static void end(Process process) {
    try {
      if (!process.waitFor(EXIT_GRACE_MS, TimeUnit.MILLISECONDS)) {
        process.toHandle().destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.toHandle().destroyForcibly();
    }
  }

  private static final long EXIT_GRACE_MS = 200;
}
