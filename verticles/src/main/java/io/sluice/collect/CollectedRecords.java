package io.sluice.collect;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

/**
 * One collected record, in Azure's fields: {@code specversion}, {@code id}, {@code source}, {@code type}
 * ({@code azureml.inference.<collection>}), {@code time}, {@code datacontenttype}, {@code data}, {@code correlationid}
 * and {@code xrequestid} (the request id: a request and its response share it), {@code contentrange}. A payload is
 * kept as JSON when it parses, as text when it is UTF-8, else as base64 ({@code dataencoding: base64}); one over
 * {@link #INLINE_BYTES} is written beside the line and named by {@code dataref}, as Azure does. Sluice adds
 * {@code statuscode} to a response (what replay compares first) and the captured headers to a request. Pure.
 */
public final class CollectedRecords {
  /** Azure writes a payload over 4 MB beside the line, not in it. */
  public static final int INLINE_BYTES = 4 << 20;

  private CollectedRecords() {
  }

  /** What the instance saw of one request or its answer. */
  public record Payload(String collection, long epochMillis, String requestId, byte[] body, String contentType,
                        int status, Map<String, String> headers) {
  }

  /** The record's line (without the payload when it goes beside, see {@link #beside}). */
  public static JsonObject record(String endpoint, String deployment, Payload p, String dataref) {
    JsonObject r = new JsonObject().put("specversion", "1.0").put("id", UUID.randomUUID().toString())
        .put("source", "/endpoints/" + endpoint + "/deployments/" + deployment)
        .put("type", "azureml.inference." + p.collection())
        .put("time", Instant.ofEpochMilli(p.epochMillis()).toString())
        .put("datacontenttype", p.contentType() == null ? "application/json" : p.contentType());
    if (dataref != null) {
      r.put("dataref", dataref);
    } else {
      putData(r, p.body());
    }
    r.put("correlationid", p.requestId()).put("xrequestid", p.requestId())
        .put("contentrange", "bytes 0-" + Math.max(0, p.body().length - 1) + "/" + p.body().length);
    if (p.status() > 0) {
      r.put("statuscode", p.status());
    }
    if (p.headers() != null && !p.headers().isEmpty()) {
      r.put("headers", new JsonObject(new java.util.LinkedHashMap<>(p.headers())));
    }
    return r;
  }

  /** Whether the payload goes beside the line. */
  public static boolean beside(Payload p) {
    return p.body().length > INLINE_BYTES;
  }

  private static void putData(JsonObject r, byte[] body) {
    String text = utf8(body);
    if (text == null) {
      r.put("data", Base64.getEncoder().encodeToString(body)).put("dataencoding", "base64");
      return;
    }
    try {
      r.put("data", text.isEmpty() ? "" : Json.decodeValue(text));
    } catch (DecodeException e) {
      r.put("data", text);
    }
  }

  private static String utf8(byte[] b) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** The payload of a record as bytes again (JSON re-encoded, text, or base64 decoded); null when it is beside. */
  public static byte[] body(JsonObject r) {
    if (!r.containsKey("data")) {
      return null;
    }
    Object d = r.getValue("data");
    if ("base64".equals(r.getString("dataencoding"))) {
      return Base64.getDecoder().decode((String) d);
    }
    if (d instanceof String s) {
      return s.getBytes(StandardCharsets.UTF_8);
    }
    return Json.encode(d).getBytes(StandardCharsets.UTF_8);
  }
}
