package io.sluice.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.auth.JWTOptions;

/**
 * aml_token credentials: JWTs signed (HS256) with a cluster-wide secret kept in the store, so every router can
 * check them and they survive restarts. A token names its endpoint; it expires after the configured lifetime and
 * Azure's refreshAfterTimeUtc is its half-life.
 */
public final class Tokens {
  static final String AUDIENCE = "sluice-endpoint";
  private final JWTAuth jwt;

  public Tokens(Vertx vertx, String secret) {
    jwt = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret))
        .setJWTOptions(new JWTOptions().addAudience(AUDIENCE)));
  }

  /** Azure's EndpointAuthToken shape; times are Unix epoch seconds. */
  public JsonObject issue(String endpoint, long ttlSeconds) {
    long now = System.currentTimeMillis() / 1000;
    String token = jwt.generateToken(new JsonObject().put("sub", endpoint),
        new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds((int) ttlSeconds).addAudience(AUDIENCE));
    return new JsonObject().put("accessToken", token).put("tokenType", "Bearer")
        .put("expiryTimeUtc", now + ttlSeconds).put("refreshAfterTimeUtc", now + ttlSeconds / 2);
  }

  /** Succeeds when the token is valid, unexpired, and issued for {@code endpoint}. */
  public Future<Void> verify(String token, String endpoint) {
    if (token == null || token.isEmpty()) {
      return Future.failedFuture("no token");
    }
    return jwt.authenticate(new TokenCredentials(token)).compose(user ->
        endpoint.equals(user.principal().getString("sub")) ? Future.succeededFuture()
            : Future.failedFuture("token of another endpoint"));
  }
}
