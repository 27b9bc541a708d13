package io.sluice.channel;

import io.sluice.auth.Hmac;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * Who may use the scoring channel: nodes, which read the admin token from the store, and nobody else. Each side
 * proves it holds the channel key (derived from the admin token) by a MAC over both sides' fresh nonces, so a proof
 * overheard on one connection is worth nothing on another, and a router never sends a request to a listener that
 * is not a node (the channel's address comes from the node map, which any cluster member can write).
 */
public final class ChannelHandshake {
  public static final int NONCE_BYTES = 32;
  private static final byte[] CLIENT = "client".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SERVER = "server".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Hmac key;

  public ChannelHandshake(String adminToken) {
    this.key = Hmac.derived(adminToken, "sluice-channel");
  }

  public static byte[] nonce() {
    byte[] n = new byte[NONCE_BYTES];
    RANDOM.nextBytes(n);
    return n;
  }

  public byte[] clientProof(byte[] serverNonce, byte[] clientNonce) {
    return key.mac(CLIENT, serverNonce, clientNonce);
  }

  public byte[] serverProof(byte[] serverNonce, byte[] clientNonce) {
    return key.mac(SERVER, serverNonce, clientNonce);
  }

  /** Constant-time comparison of a presented proof with the expected one. */
  public static boolean same(byte[] expected, byte[] presented) {
    return MessageDigest.isEqual(expected, presented);
  }
}
