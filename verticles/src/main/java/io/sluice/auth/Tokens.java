package io.sluice.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/**
 * aml_token credentials: JWTs signed with ES256. The private key stays in the store and in the endpoint-manager,
 * which issues tokens; routers verify with the public key only, so no router can make a token. A token names its
 * endpoint and that endpoint's incarnation ({@code eid}): a re-created endpoint of the same name refuses it. It
 * expires after the configured lifetime; Azure's refreshAfterTimeUtc is its half-life.
 */
public final class Tokens {
  static final String AUDIENCE = "sluice-endpoint";
  private static final String ALG = "ES256";
  private final JWTAuth jwt;

  /** The signing key pair, PEM (PKCS#8 private, X.509 public), as kept in the store. */
  public record KeyPair(String privatePem, String publicPem) {
    public static KeyPair generate() {
      try {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        java.security.KeyPair kp = g.generateKeyPair();
        return new KeyPair(pem("PRIVATE KEY", kp.getPrivate().getEncoded()), pem("PUBLIC KEY",
            kp.getPublic().getEncoded()));
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalStateException("EC P-256 is part of every JDK", e);
      }
    }

    private static String pem(String type, byte[] der) {
      return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
          + "\n-----END " + type + "-----\n";
    }
  }

  private Tokens(JWTAuth jwt) {
    this.jwt = jwt;
  }

  /** Issues and verifies: the endpoint-manager's. */
  public static Tokens signer(Vertx vertx, KeyPair keys) {
    return new Tokens(JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm(ALG).setBuffer(keys.privatePem()))
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm(ALG).setBuffer(keys.publicPem()))
        .setJWTOptions(new JWTOptions().addAudience(AUDIENCE))));
  }

  /** Verifies only: the routers'. */
  public static Tokens verifier(Vertx vertx, String publicPem) {
    return new Tokens(JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm(ALG).setBuffer(publicPem))
        .setJWTOptions(new JWTOptions().addAudience(AUDIENCE))));
  }

  /** Azure's EndpointAuthToken shape; times are Unix epoch seconds. */
  public JsonObject issue(String endpoint, String endpointUid, long ttlSeconds) {
    long now = System.currentTimeMillis() / 1000;
    String token = jwt.generateToken(new JsonObject().put("sub", endpoint).put("eid", endpointUid),
        new JWTOptions().setAlgorithm(ALG).setExpiresInSeconds((int) ttlSeconds).addAudience(AUDIENCE));
    return new JsonObject().put("accessToken", token).put("tokenType", "Bearer")
        .put("expiryTimeUtc", now + ttlSeconds).put("refreshAfterTimeUtc", now + ttlSeconds / 2);
  }

  /** Succeeds when the token is valid, unexpired, and issued for this incarnation of {@code endpoint}. */
  public Future<Void> verify(String token, String endpoint, String endpointUid) {
    if (token == null || token.isEmpty()) {
      return Future.failedFuture("no token");
    }
    return jwt.authenticate(new TokenCredentials(token)).compose(user ->
        endpoint.equals(user.principal().getString("sub"))
            && String.valueOf(endpointUid).equals(user.principal().getString("eid")) ? Future.succeededFuture()
            : Future.failedFuture("token of another endpoint"));
  }
}
