package io.sluice.auth;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * The proof a control message carries: HMAC-SHA256, under a key derived from the cluster's root secret, of the
 * address, the sending time and the body. Only a node (it reads the root secret from the store) or a holder of
 * the admin token can make one; a proof seen on one message does not fit another body or address, and goes stale
 * after {@link #WINDOW_MS}. Pure: {@link ControlGuard} puts it on the event bus.
 */
public final class ControlProof {
  public static final String HEADER = "sluice-proof";
  public static final String TIME_HEADER = "sluice-proof-at";
  /** How far a proof's time may be from the receiver's clock (nodes' clocks are assumed within this of each other). */
  public static final long WINDOW_MS = 120_000;

  private final Hmac hmac;

  public ControlProof(String rootSecret) {
    this.hmac = Hmac.derived(rootSecret, "sluice control message proof v1");
  }

  public String sign(String address, long atMs, Object body) {
    return hmac.macBase64(address.getBytes(StandardCharsets.UTF_8), ("\n" + atMs + "\n").getBytes(
        StandardCharsets.UTF_8), bytes(body));
  }

  /** Null when the proof holds; otherwise why not (for the log). */
  public String refusal(String address, String proof, String at, Object body, long nowMs) {
    if (proof == null || at == null) {
      return "no proof";
    }
    long atMs;
    try {
      atMs = Long.parseLong(at);
    } catch (NumberFormatException e) {
      return "malformed proof time";
    }
    if (Math.abs(nowMs - atMs) > WINDOW_MS) {
      return "stale proof (" + (nowMs - atMs) + " ms old)";
    }
    return Hmac.same(sign(address, atMs, body), proof) ? null : "wrong proof";
  }

  /** The body as the bytes both ends agree on: JSON text for JSON, raw bytes for a buffer. */
  private static byte[] bytes(Object body) {
    if (body == null) {
      return new byte[0];
    }
    if (body instanceof JsonObject o) {
      return o.encode().getBytes(StandardCharsets.UTF_8);
    }
    if (body instanceof JsonArray a) {
      return a.encode().getBytes(StandardCharsets.UTF_8);
    }
    if (body instanceof Buffer b) {
      return b.getBytes();
    }
    if (body instanceof byte[] raw) {
      return raw;
    }
    return String.valueOf(body).getBytes(StandardCharsets.UTF_8);
  }
}
