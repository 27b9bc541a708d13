package io.sluice.node;

import java.io.InputStream;
import java.util.Properties;

/**
 * Which build this is: the project's version and the commit it was built from, written into the jar by Maven
 * ({@code sluice-release.properties}, filtered; the commit from {@code git rev-parse} at build time, "unknown" for a
 * build outside a git checkout). {@code sluice --version} prints it; every node publishes it in its node-map entry.
 */
public final class Release {
  private static final Properties PROPS = load();

  private Release() {
  }

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = Release.class.getResourceAsStream("/sluice-release.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (Exception e) {
      // a jar without the file: unknown
    }
    return p;
  }

  public static String version() {
    return known(PROPS.getProperty("version"));
  }

  public static String commit() {
    return known(PROPS.getProperty("commit"));
  }

  /** "0.1.0 (abc1234)". */
  public static String describe() {
    return version() + " (" + commit() + ")";
  }

  /** A property Maven did not fill in (a build outside Maven) reads "unknown". */
  private static String known(String v) {
    return v == null || v.isBlank() || v.startsWith("${") ? "unknown" : v.trim();
  }
}
