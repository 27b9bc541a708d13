package io.sluice.channel;

import io.sluice.auth.Hmac;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * Who may use the scoring channel: nodes, which read the admin token from the store, and nobody else. Each side
 * proves it holds the channel key (derived from the admin token) by a MAC over both sides' fresh nonces and the
 * node's identity (its id and the channel address it published), so a proof overheard on one connection is worth
 * nothing on another, a router never sends a request to a listener that is not a node, and a relay between a router
 * and a node fails: the node's proof names its own address, not the relay's.
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

  /**
   * {@code node}: who the router meant to reach and where, "node id@host:port" (the address from the node's proved
   * entry): a relay at another address, or a node reached through one, cannot make or pass on a proof that fits.
   */
  public byte[] clientProof(byte[] serverNonce, byte[] clientNonce, String node) {
    return key.mac(CLIENT, serverNonce, clientNonce, node.getBytes(StandardCharsets.UTF_8));
  }

  public byte[] serverProof(byte[] serverNonce, byte[] clientNonce, String node) {
    return key.mac(SERVER, serverNonce, clientNonce, node.getBytes(StandardCharsets.UTF_8));
  }

  /** What both sides bind: the node's id and the channel address it published. */
  public static String identity(String nodeId, String hostPort) {
    return nodeId + "@" + hostPort;
  }

  /** Constant-time comparison of a presented proof with the expected one. */
  public static boolean same(byte[] expected, byte[] presented) {
    return MessageDigest.isEqual(expected, presented);
  }
}
