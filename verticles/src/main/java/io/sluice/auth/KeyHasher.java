package io.sluice.auth;

import java.nio.charset.StandardCharsets;

/**
 * Endpoint keys as routers know them: a keyed hash (HMAC-SHA256) of each. A router hashes the presented key and
 * compares in constant time, so no router, and no member listening where routers are told, ever holds a key.
 */
public final class KeyHasher {
  private final Hmac hmac;

  public KeyHasher(String rootSecret) {
    this.hmac = Hmac.derived(rootSecret, "sluice endpoint key hash v1");
  }

  public String hash(String key) {
    return hmac.macBase64(key.getBytes(StandardCharsets.UTF_8));
  }

  /** True when {@code presented} hashes to one of {@code hashes}; every hash is compared, whatever matched. */
  public boolean matches(String presented, java.util.List<String> hashes) {
    if (presented == null || presented.isEmpty()) {
      return false;
    }
    String h = hash(presented);
    boolean any = false;
    for (String expected : hashes) {
      any |= Hmac.same(h, expected);
    }
    return any;
  }
}
