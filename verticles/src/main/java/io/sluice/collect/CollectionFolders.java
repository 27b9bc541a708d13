package io.sluice.collect;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Matcher;

/**
 * Where a collection's files go, as Azure lays them out: the collection's folder (its {@code data.path}, or
 * {@code <home>/collected/<endpoint>/<deployment>/<collection>}), then one folder per rolling period
 * ({@code yyyy/MM/dd/HH} for Hour), then {@code <instance>.jsonl}. Times are UTC. Pure.
 */
public final class CollectionFolders {
  private CollectionFolders() {
  }

  /** The node's root for collected data when a collection names no path. */
  public static Path root(Path home) {
    return home.resolve("collected");
  }

  /** The folder of collection {@code name} of a deployment. */
  public static Path folder(Path home, String endpoint, String deployment, String name, DataCollection.Collection c) {
    String p = c == null ? null : c.path();
    if (p == null) {
      return root(home).resolve(endpoint).resolve(deployment).resolve(name);
    }
    Matcher m = DataCollection.DATASTORE.matcher(p);
    if (m.matches()) {
      return root(home).resolve("datastores").resolve(m.group(1)).resolve(trimSlashes(m.group(2))).normalize();
    }
    return Path.of(p.startsWith("file://") ? p.substring("file://".length()) : p).normalize();
  }

  private static String trimSlashes(String s) {
    return s.replaceAll("^/+", "").replaceAll("/+$", "");
  }

  /** The rolling period's folders under a collection's folder, for a record written at {@code time}. */
  public static String period(DataCollection.RollingRate rate, Instant time) {
    return DateTimeFormatter.ofPattern(rate.folders).withZone(ZoneOffset.UTC).format(time);
  }

  /** The file an instance writes a record of {@code time} to. */
  public static Path file(Path folder, DataCollection.RollingRate rate, Instant time, String instance) {
    return folder.resolve(period(rate, time)).resolve(instance + ".jsonl");
  }
}
