package io.sluice.collect;

import io.sluice.scoring.LogTail;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads a collection's records back from this node's files, newest first: the rolling periods from the newest down
 * to the one {@code since} falls in, in each every instance's file read from its end. Bounded: at most
 * {@code limit} records and {@link #MAX_BYTES} read per file, whatever the files hold.
 */
public final class CollectedReader {
  public static final int MAX_BYTES = 8 << 20;

  private CollectedReader() {
  }

  public static List<JsonObject> newest(Path folder, DataCollection.RollingRate rate, Instant since, int limit)
      throws IOException {
    List<JsonObject> out = new ArrayList<>();
    if (!Files.isDirectory(folder)) {
      return out;
    }
    String first = CollectionFolders.period(rate, since);
    int depth = rate.folders.split("/").length;
    List<Path> periods;
    try (Stream<Path> s = Files.find(folder, depth, (p, a) -> a.isDirectory()
        && folder.relativize(p).getNameCount() == depth)) {
      periods = s.filter(p -> folder.relativize(p).toString().compareTo(first) >= 0)
          .sorted(Comparator.comparing((Path p) -> folder.relativize(p).toString()).reversed()).toList();
    }
    for (Path period : periods) {
      List<JsonObject> here = new ArrayList<>();
      try (Stream<Path> files = Files.list(period)) {
        for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".jsonl")).toList()) {
          for (String line : LogTail.last(f, limit, MAX_BYTES).split("\n")) {
            JsonObject r = parse(line);
            if (r != null && Instant.parse(r.getString("time", since.toString())).compareTo(since) >= 0) {
              here.add(r);
            }
          }
        }
      }
      here.sort(Comparator.comparing((JsonObject r) -> r.getString("time", "")).reversed());
      for (JsonObject r : here) {
        if (out.size() >= limit) {
          return out;
        }
        out.add(r);
      }
    }
    return out;
  }

  private static JsonObject parse(String line) {
    if (line.isBlank()) {
      return null;
    }
    try {
      return new JsonObject(line);
    } catch (DecodeException e) {
      return null; // a line cut by a crash mid-write
    }
  }
}
