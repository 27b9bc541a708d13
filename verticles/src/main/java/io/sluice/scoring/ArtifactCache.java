package io.sluice.scoring;

import io.sluice.protocol.SafeIds;
import io.sluice.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Unpacks uploaded folders (zip files in the store, named by content) into this node's cache, once per content.
 * Blocking: call from a worker thread. One cache per node, shared by its instances (unpacking is serialised).
 * Entries that would land outside the target folder are refused, and {@link ZipLimits} hold while unpacking.
 */
public final class ArtifactCache {
  private final Store store;
  private final Path root;
  private final ZipLimits limits;

  public ArtifactCache(Store store, Path root, ZipLimits limits) {
    this.store = store;
    this.root = root;
    this.limits = limits;
  }

  public synchronized Path materialize(String fileId) throws Exception {
    if (!SafeIds.fileId(fileId)) { // it names a folder here: only the shape an upload gets may do that
      throw new IllegalArgumentException("not an uploaded file id (sha256:<64 hex digits>): " + fileId);
    }
    Path target = root.resolve(fileId.replace("sha256:", ""));
    if (Files.isDirectory(target)) {
      return target;
    }
    byte[] zip = store.getFile(fileId).orElseThrow(() -> new IllegalStateException("uploaded file " + fileId
        + " is missing from the store"));
    Files.createDirectories(root);
    Path tmp = Files.createTempDirectory(root, ".unpack-");
    try {
      limits.unzip(zip, tmp);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        // another process on this machine (a node sharing the folder) unpacked the same content first
        if (!Files.isDirectory(target)) {
          throw e;
        }
        delete(tmp);
      }
    } catch (Exception e) {
      delete(tmp);
      throw e;
    }
    return target;
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
