package io.sluice.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * Decides whether a data-plane caller may score an endpoint: a key of the endpoint (auth_mode key: its keyed hash
 * matches one the router was sent, compared in constant time) or an unexpired aml_token issued for this incarnation
 * of it (auth_mode aml_token, checked with the public key). The router holds nothing that would let it, or anyone
 * reading what it is sent, score or make a token. Key checks complete at once, so the request path stays
 * synchronous for them; token checks may complete later.
 */
public final class Authenticator {
  private final Vertx vertx;
  private final KeyHasher keys;
  private volatile Tokens tokens;
  private String publicKey;

  /** What a router knows of an endpoint's credentials. */
  public record Credentials(String endpoint, String uid, String authMode, List<String> keyHashes) {
  }

  public Authenticator(Vertx vertx, KeyHasher keys) {
    this.vertx = vertx;
    this.keys = keys;
  }

  /** The public half of the cluster's token-signing key, from the routing snapshot. */
  public void useTokenPublicKey(String next) {
    if (next != null && !next.equals(publicKey)) {
      publicKey = next;
      tokens = Tokens.verifier(vertx, next);
    }
  }

  /** Succeeds when {@code authorization} ("Bearer …") proves the caller may score; fails with the 401 message. */
  public Future<Void> check(Credentials c, String authorization) {
    String token = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7).trim()
        : null;
    if ("aml_token".equals(c.authMode())) {
      Tokens verifier = tokens;
      Future<Void> valid = verifier == null ? Future.failedFuture("no public key yet")
          : verifier.verify(token, c.endpoint(), c.uid());
      return valid.recover(err -> Future.failedFuture("the request needs 'Authorization: Bearer <token>' with a "
          + "valid, unexpired aml_token of endpoint '" + c.endpoint() + "' (get-credentials gives one)"));
    }
    if (keys.matches(token, c.keyHashes())) {
      return Future.succeededFuture();
    }
    return Future.failedFuture("the request needs 'Authorization: Bearer <key>' with a key of endpoint '"
        + c.endpoint() + "'");
  }
}
