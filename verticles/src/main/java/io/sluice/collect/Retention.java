package io.sluice.collect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Collected files live for the collection's {@code retention}: files last written before then are deleted, and the
 * period folders they leave empty (or that stayed empty for a minute: a writer may be about to fill a new one). Errors are ignored (another instance of the deployment on this node may sweep
 * the same folders at the same time).
 */
final class Retention {
  private Retention() {
  }

  static void sweep(List<Path> folders, Duration retention, Instant now) {
    long before = now.minus(retention).toEpochMilli();
    for (Path folder : folders) {
      if (!Files.isDirectory(folder)) {
        continue;
      }
      java.util.Set<Path> emptied = new java.util.HashSet<>(); // folders this sweep deleted something in
      try (Stream<Path> all = Files.walk(folder)) {
        all.sorted(Comparator.reverseOrder()).forEach(p -> {
          try {
            if (Files.isRegularFile(p) && Files.getLastModifiedTime(p).toMillis() < before) {
              Files.deleteIfExists(p);
              emptied.add(p.getParent());
            } else if (Files.isDirectory(p) && !p.equals(folder) && (emptied.contains(p)
                || Files.getLastModifiedTime(p).toMillis() < System.currentTimeMillis() - 60_000)) {
              try (Stream<Path> in = Files.list(p)) {
                if (in.findAny().isEmpty()) {
                  Files.deleteIfExists(p);
                  emptied.add(p.getParent());
                }
              }
            }
          } catch (IOException e) {
            // swept by someone else meanwhile, or not ours to delete: left for the next sweep
          }
        });
      } catch (IOException | java.io.UncheckedIOException e) {
        // the folder went away meanwhile
      }
    }
  }
}
