package io.sluice.collect;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * One collected record (written by {@link LineEncoder}, read back by {@link #body}), in Azure's fields: {@code specversion}, {@code id}, {@code source}, {@code type}
 * ({@code azureml.inference.<collection>}), {@code time}, {@code datacontenttype}, {@code data}, {@code correlationid}
 * and {@code xrequestid} (the request id: a request and its response share it), {@code contentrange}. A payload is
 * kept as JSON when it parses, as text when it is UTF-8, else as base64 ({@code dataencoding: base64}); one over
 * {@link #INLINE_BYTES} is written beside the line and named by {@code dataref}, as Azure does. Sluice adds
 * {@code statuscode} to a response (what replay compares first) and the captured headers to a request. Pure.
 */
public final class CollectedRecords {
  /** Azure writes a payload over 4 MB beside the line, not in it. */
  public static final int INLINE_BYTES = 4 << 20;
  private static final JsonFactory FACTORY = new JsonFactory();

  private CollectedRecords() {
  }

  /** What the instance saw of one request or its answer. */
  public record Payload(String collection, long epochMillis, String requestId, byte[] body, String contentType,
                        int status, Map<String, String> headers) {
  }

  /** JSON text over several lines, encoded again on one (a JSON line must be one line); null when it is not JSON. */
  static String compacted(String text) {
    if (text.isEmpty() || text.indexOf('\n') < 0 && text.indexOf('\r') < 0 || !json(text.getBytes(StandardCharsets.UTF_8))) {
      return null;
    }
    return Json.encode(Json.decodeValue(text));
  }

  /** One JSON value on one line (no line breaks, nothing after it): copied into the record as it is. */
  static boolean compactJson(byte[] body) {
    return JsonCheck.oneLineValue(body);
  }

  private static boolean json(byte[] body) {
    try (JsonParser p = FACTORY.createParser(body)) {
      if (p.nextToken() == null) {
        return false;
      }
      p.skipChildren();
      return p.nextToken() == null;
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether the payload goes beside the line. */
  public static boolean beside(Payload p) {
    return p.body().length > INLINE_BYTES;
  }

  static String utf8(byte[] b) {
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
