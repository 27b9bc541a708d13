package io.sluice.auth;

import java.security.SecureRandom;

/** Endpoint keys: 32 random alphanumerics, like Azure's; routers know them only as keyed hashes ({@link KeyHasher}). */
public final class Keys {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  private Keys() {
  }

  public static String generate() {
    return generate(32);
  }

  public static String generate(int length) {
    char[] c = new char[length];
    for (int i = 0; i < length; i++) {
      c[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
    }
    return new String(c);
  }
}
