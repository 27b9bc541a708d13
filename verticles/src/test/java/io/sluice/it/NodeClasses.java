package io.sluice.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The class path of the nodes the tests start, and a class-data-sharing archive of it: a node starts in ~3.8 s with
 * the archive against ~5.8 s without, and the tests start some sixty nodes. The JVM archives classes from jars only,
 * so the node's classes come from {@code target/node-classes.jar} (the build jars them before the tests) and the test
 * classes, which no node needs, are left out. The archive is made once per build of that jar, by one node started
 * and stopped for it. Anything missing or failing leaves the nodes as they were: the test class path, no archive.
 */
final class NodeClasses {
  private NodeClasses() {
  }

  private static final String TEST_CLASSPATH = System.getProperty("java.class.path");
  private static Path jar;
  /** The class path a node runs with. */
  static final String CLASSPATH = classpath();
  private static List<String> flags;

  private static String classpath() {
    List<String> out = new ArrayList<>();
    for (String entry : TEST_CLASSPATH.split(File.pathSeparator)) {
      Path p = Path.of(entry);
      if (p.endsWith(Path.of("target", "test-classes"))) {
        continue;
      }
      if (p.endsWith(Path.of("target", "classes"))) {
        jar = p.resolveSibling("node-classes.jar");
        if (!Files.isRegularFile(jar)) {
          jar = null;
          return TEST_CLASSPATH;
        }
        out.add(jar.toString());
      } else if (Files.isDirectory(p)) {
        jar = null;
        return TEST_CLASSPATH; // a class folder the archive cannot hold
      } else {
        out.add(entry);
      }
    }
    return String.join(File.pathSeparator, out);
  }

  /** The JVM flags that use the archive, made on first use; none when it cannot be had. */
  static synchronized List<String> sharingFlags() {
    if (flags == null) {
      flags = List.of();
      if (jar != null) {
        try {
          Path archive = archive();
          flags = Files.isRegularFile(archive) || made(archive) ? List.of("-XX:SharedArchiveFile=" + archive)
              : List.of();
        } catch (Exception e) {
          System.out.println("nodes start without a class-data archive: " + e);
        }
      }
    }
    return flags;
  }

  /** One archive per node-classes.jar, JDK and class path (the JVM refuses an archive made for others). */
  private static Path archive() throws IOException {
    String key = Integer.toHexString(Objects.hash(CLASSPATH, System.getProperty("java.vm.version"),
        Files.size(jar), Files.getLastModifiedTime(jar).toMillis()));
    return jar.resolveSibling("node-cds").resolve("node-" + key + ".jsa");
  }

  /** A node started and stopped with -XX:ArchiveClassesAtExit: the archive is written as it exits. */
  private static boolean made(Path archive) throws Exception {
    Path dir = Files.createDirectories(archive.getParent());
    try (Stream<Path> old = Files.list(dir)) {
      for (Path p : old.toList()) {
        Files.deleteIfExists(p); // archives of earlier builds (~60 MB each) and a half-written one
      }
    }
    Path partial = dir.resolve(archive.getFileName() + ".part");
    Path home = Files.createTempDirectory("sluice-cds");
    long t0 = System.nanoTime();
    NodeProcess trainer = new NodeProcess(home, "cds-" + UUID.randomUUID());
    trainer.jvmFlags = List.of("-XX:ArchiveClassesAtExit=" + partial);
    try {
      trainer.start();
    } finally {
      trainer.stop();
      try (Stream<Path> files = Files.walk(home)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    if (!Files.isRegularFile(partial) || !maps(partial)) {
      System.out.println("nodes start without a class-data archive: none was written, or it does not map");
      return false;
    }
    Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE); // no node maps half an archive
    System.out.printf("class-data archive for nodes made in %.1f s: %s%n", (System.nanoTime() - t0) / 1e9, archive);
    return true;
  }

  /** Whether a JVM maps the archive ({@code -Xshare:on} fails otherwise; a damaged one would crash every node). */
  private static boolean maps(Path archive) throws Exception {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xshare:on",
        "-XX:SharedArchiveFile=" + archive, "-cp", CLASSPATH, "io.sluice.node.Main", "--version")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    return p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0;
  }
}
