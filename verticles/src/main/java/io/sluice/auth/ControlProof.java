package io.sluice.auth;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * The proof a cluster message carries: HMAC-SHA256, under a key derived from the cluster's root secret, of where it
 * goes, when it was sent, its nonce, who sent it, what it is bound to and its body. Only a node (it reads the root
 * secret from the store) or a holder of the admin token can make one. A request is bound to its own reply address,
 * so whoever answers it can answer only that request; a reply is bound to the nonce of the request it answers, so
 * a reply cannot be moved to another request; the sender's node id is bound so that a relayed request (whose answer
 * would go to the relay) fails; so is the protocol version the message is written in. A proof goes stale after
 * {@link #WINDOW_MS}. Pure: {@link ControlGuard} puts it on the event bus.
 */
public final class ControlProof {
  public static final String HEADER = "sluice-proof";
  public static final String TIME_HEADER = "sluice-proof-at";
  public static final String NONCE_HEADER = "sluice-nonce";
  public static final String FROM_HEADER = "sluice-from";
  /** How far a proof's time may be from the receiver's clock (nodes' clocks are assumed within this of each other). */
  public static final long WINDOW_MS = 120_000;

  private static final byte[] SEP = {'\n'};
  private final Hmac hmac;

  public ControlProof(String rootSecret) {
    this.hmac = Hmac.derived(rootSecret, "sluice control message proof v3");
  }

  /** What a message says about itself, as its headers carry it. */
  public record Claim(String address, long atMs, String nonce, String from, String bound, int protocol) {
  }

  /**
   * {@code bound}: for a request, its reply address ("" when it wants no reply); for a reply, the request's nonce.
   */
  public String sign(Claim c, Object body) {
    return hmac.macBase64(utf8(c.address()), SEP, utf8(Long.toString(c.atMs())), SEP, utf8(c.nonce()), SEP,
        utf8(c.from()), SEP, utf8(c.bound()), SEP, utf8(Integer.toString(c.protocol())), SEP, bytes(body));
  }

  /**
   * Null when the proof holds; otherwise why not (for the log). {@code at} is the time header as received.
   */
  public String refusal(String address, String proof, String at, String nonce, String from, String bound,
                        String protocol, Object body, long nowMs) {
    if (proof == null || at == null || nonce == null || from == null || protocol == null) {
      return "no proof";
    }
    long atMs;
    int version;
    try {
      atMs = Long.parseLong(at);
      version = Integer.parseInt(protocol);
    } catch (NumberFormatException e) {
      return "malformed proof time or protocol version";
    }
    if (Math.abs(nowMs - atMs) > WINDOW_MS) {
      return "stale proof (" + (nowMs - atMs) + " ms old)";
    }
    return Hmac.same(sign(new Claim(address, atMs, nonce, from, bound, version), body), proof) ? null
        : "wrong proof";
  }

  private static byte[] utf8(String s) {
    return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
  }

  /** The body as the bytes both ends agree on: JSON text for JSON, raw bytes for a buffer, code and text of a failure. */
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
    if (body instanceof ReplyException f) {
      return utf8("failure " + f.failureType() + " " + f.failureCode() + " " + f.getMessage());
    }
    return String.valueOf(body).getBytes(StandardCharsets.UTF_8);
  }
}
