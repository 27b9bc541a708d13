package io.sluice.endpoints;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Uploaded folders are zip files named by their content: {@code sha256:<hex>}. */
public final class Uploads {
  private Uploads() {
  }

  public static final String ID_PREFIX = "sha256:";

  public static String id(byte[] data) {
    try {
      return ID_PREFIX + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static boolean isId(String s) {
    return s != null && s.matches("sha256:[0-9a-f]{64}");
  }
}
