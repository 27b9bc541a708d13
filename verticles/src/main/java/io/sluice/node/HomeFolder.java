package io.sluice.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;

/**
 * SLUICE_HOME holds every key, the admin token and the signing key (in the store), and the admin-token file: the
 * folder is the owner's only (0700) and the embedded store's files owner-read/write only (0600), whatever the
 * umask was. bin/sluice also runs nodes with umask 077, so what is created later is private too.
 */
final class HomeFolder {
  private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  private HomeFolder() {
  }

  static void create(Path home) throws IOException {
    Files.createDirectories(home);
    restrict(home);
  }

  /** The folder owner-only; when the embedded store lives under it, its folder and files too. */
  static void restrict(Path home) throws IOException {
    if (!Files.getFileStore(home).supportsFileAttributeView("posix")) {
      return; // not a POSIX file system: nothing to set
    }
    Files.setPosixFilePermissions(home, DIR);
    Path store = home.resolve("store");
    if (Files.isDirectory(store)) {
      Files.setPosixFilePermissions(store, DIR);
      try (Stream<Path> files = Files.list(store)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          try {
            Files.setPosixFilePermissions(f, FILE);
          } catch (java.nio.file.NoSuchFileException gone) {
            // a lock or temporary file H2 removed meanwhile
          }
        }
      }
    }
  }

  /**
   * What the CLI on this machine reads to find a node and authenticate; the token file is owner-only.
   * {@code bridge}: "host:port" of the node's bridge, or null.
   */
  static void writeClientFiles(Path home, String url, String token, String bridge) throws IOException {
    Path tokenFile = home.resolve("admin-token");
    Path tmp = Files.createTempFile(home, ".token", "");
    Files.setPosixFilePermissions(tmp, FILE);
    Files.writeString(tmp, token + "\n");
    Files.move(tmp, tokenFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    io.vertx.core.json.JsonObject node = new io.vertx.core.json.JsonObject().put("url", url);
    if (bridge != null) {
      node.put("bridge", bridge);
    }
    Files.writeString(home.resolve("node.json"), node.encodePrettily() + "\n");
  }
}
