package io.sluice.collect;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The node's byte cap on collected data under {@code $SLUICE_HOME/collected} (every deployment's default folders and
 * the azureml:// datastores, all together; a {@code data.path} elsewhere is the admin's own folder): past
 * {@code collect.max_bytes}, the files last written longest ago are deleted until the rest fits, never one written in
 * the last minute (a writer may hold it open: deleting it would free nothing). Run once a minute on every node.
 */
public final class CollectedCap {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CollectedCap.class);

  private CollectedCap() {
  }

  /** Sweeps {@code $SLUICE_HOME/collected} down to {@code maxBytes} once a minute, off the event loop. */
  public static void everyMinute(io.vertx.core.Vertx vertx, Path home, long maxBytes) {
    vertx.setPeriodic(60_000, t -> vertx.executeBlocking(() -> sweep(CollectionFolders.root(home), maxBytes,
        System.currentTimeMillis()), false).onSuccess(freed -> {
          if (freed > 0) {
            LOG.info("collected data over collect.max_bytes ({} bytes): {} bytes of the oldest files deleted",
                maxBytes, freed);
          }
        }));
  }

  /** Deletes the oldest files until those under {@code root} take at most {@code maxBytes}; returns bytes freed. */
  public static long sweep(Path root, long maxBytes, long nowMillis) {
    if (!Files.isDirectory(root)) {
      return 0;
    }
    record Found(Path path, long size, long modified) {
    }
    List<Found> files = new ArrayList<>();
    try (Stream<Path> all = Files.walk(root)) {
      all.forEach(p -> {
        try {
          BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
          if (a.isRegularFile()) {
            files.add(new Found(p, a.size(), a.lastModifiedTime().toMillis()));
          }
        } catch (IOException e) {
          // gone meanwhile
        }
      });
    } catch (IOException | UncheckedIOException e) {
      return 0;
    }
    long total = files.stream().mapToLong(Found::size).sum();
    long freed = 0;
    files.sort(Comparator.comparingLong(Found::modified));
    for (Found f : files) {
      if (total - freed <= maxBytes || f.modified() > nowMillis - 60_000) {
        break;
      }
      try {
        Files.deleteIfExists(f.path());
        freed += f.size();
      } catch (IOException e) {
        // not ours to delete, or gone: the next sweep tries again
      }
    }
    return freed;
  }
}
