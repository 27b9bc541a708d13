package io.sluice.protocol;

import java.util.regex.Pattern;

/**
 * The shapes an id read from the cluster must have before it names a file or a folder: instance ids (a log file),
 * uploaded file ids (a folder of the artifact cache). A node makes them in these shapes; anything else came from
 * somewhere else ({@code ../}, a slash, a control character) and is refused. Pure.
 */
public final class SafeIds {
  /** Letters, digits, '.', '_', '-'; a letter or digit first; at most 200 characters; never "..". */
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");
  /** {@code sha256:} and 64 lower-case hex digits. */
  private static final Pattern FILE_ID = Pattern.compile("sha256:[0-9a-f]{64}");

  private SafeIds() {
  }

  public static boolean instanceId(String id) {
    return id != null && ID.matcher(id).matches() && !id.contains("..");
  }

  public static boolean fileId(String id) {
    return id != null && FILE_ID.matcher(id).matches();
  }
}
