package io.sluice.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Decides whether a data-plane caller may score an endpoint: a key of the endpoint (auth_mode key, compared in
 * constant time) or an unexpired aml_token issued for it (auth_mode aml_token). Key checks complete at once, so the
 * request path stays synchronous for them; token checks may complete later.
 */
public final class Authenticator {
  private final Vertx vertx;
  private volatile Tokens tokens;
  private String secret;

  /** What a router knows of an endpoint's credentials. */
  public record Credentials(String endpoint, String authMode, String primaryKey, String secondaryKey) {
  }

  public Authenticator(Vertx vertx) {
    this.vertx = vertx;
  }

  /** The cluster's token-signing secret, from the routing snapshot; a new one replaces the verifier. */
  public void useTokenSecret(String next) {
    if (next != null && !next.equals(secret)) {
      secret = next;
      tokens = new Tokens(vertx, next);
    }
  }

  /** Succeeds when {@code authorization} ("Bearer …") proves the caller may score; fails with the 401 message. */
  public Future<Void> check(Credentials c, String authorization) {
    String token = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7).trim()
        : null;
    if ("aml_token".equals(c.authMode())) {
      Tokens verifier = tokens;
      Future<Void> valid = verifier == null ? Future.failedFuture("no signing secret yet")
          : verifier.verify(token, c.endpoint());
      return valid.recover(err -> Future.failedFuture("the request needs 'Authorization: Bearer <token>' with a "
          + "valid, unexpired aml_token of endpoint '" + c.endpoint() + "' (get-credentials gives one)"));
    }
    // both compared, always: the time taken does not tell which key matched
    if (Keys.matches(token, c.primaryKey()) | Keys.matches(token, c.secondaryKey())) {
      return Future.succeededFuture();
    }
    return Future.failedFuture("the request needs 'Authorization: Bearer <key>' with a key of endpoint '"
        + c.endpoint() + "'");
  }
}
