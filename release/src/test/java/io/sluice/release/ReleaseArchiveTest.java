package io.sluice.release;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release archive on a machine that has a JDK and nothing of the project: unpacked in an empty folder, with a
 * PATH on which Maven fails, it says its version and commit, installs what score.py needs, runs a node and serves
 * Azure's sample endpoint from its own examples; SIGTERM stops the node cleanly; the node's first start made its
 * class-data archive, which the next start maps.
 */
class ReleaseArchiveTest {
  @TempDir
  Path tmp;

  static final Path REPO = Path.of(System.getProperty("sluice.repo", "..")).toAbsolutePath().normalize();
  static final String VERSION = System.getProperty("sluice.version", "0.1.0-SNAPSHOT");

  private Path unpacked;
  private Map<String, String> env;

  private ProcessBuilder sluice(Path cwd, String... args) {
    List<String> cmd = new ArrayList<>(List.of(unpacked.resolve("bin/sluice").toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().putAll(env);
    return pb;
  }

  /** Runs bin/sluice to its end: its output; the exit code must be 0. */
  private String ok(Path cwd, String... args) throws Exception {
    Process p = sluice(cwd, args).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("sluice %s:\n%s", String.join(" ", args), out).isZero();
    return out.trim();
  }

  @Test
  void theArchiveInstallsInAnEmptyFolderAndServesTheSampleEndpoint() throws Exception {
    Path archive = REPO.resolve("dist/sluice-" + VERSION + ".tar.gz");
    assertThat(archive).exists();
    String listing = run(List.of("tar", "-tzf", archive.toString()), REPO);
    String top = "sluice-" + VERSION + "/";
    assertThat(listing.lines().toList()).contains(top + "bin/sluice", top + "lib/sluice.jar", top + "README.md",
        top + "OPERATIONS.md", top + "sluice-node.yaml", top + "systemd/sluice-node.service",
        top + "cluster-config/hazelcast-members.yaml", top + "scripts/setup.sh",
        top + "examples/cli/endpoints/online/managed/sample/blue-deployment.yml");
    assertThat(listing).doesNotContain(".pkl").doesNotContain("target/").doesNotContain("pom.xml")
        .doesNotContain("src/main");
    run(List.of("tar", "-xzf", archive.toString(), "-C", tmp.toString()), REPO);
    unpacked = tmp.resolve("sluice-" + VERSION);

    // a PATH with the JDK and the system, where Maven refuses to run: nothing may build
    Path noMaven = Files.createDirectories(tmp.resolve("no-maven"));
    Path mvn = Files.writeString(noMaven.resolve("mvn"), "#!/bin/sh\necho 'mvn: not on this machine' >&2\nexit 97\n");
    Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
    env = Map.of("PATH", noMaven + ":" + Path.of(System.getProperty("java.home"), "bin") + ":/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME", tmp.resolve("user").toString(), "SLUICE_HOME", tmp.resolve("home").toString(), "LANG", "C.UTF-8");
    Files.createDirectories(tmp.resolve("user"));

    assertThat(ok(unpacked, "--version")).matches("(?s)sluice " + VERSION.replace(".", "\\.")
        + " \\(commit [0-9a-f]{7,}\\).*protocol version \\d+.*");
    assertThat(ok(unpacked, "setup")).contains("trained");

    int port = freePort();
    Path log = tmp.resolve("node.log");
    Process node = sluice(unpacked, "node", "--http-port", String.valueOf(port), "--bridge-port", "-1",
        "--cluster-name", "release-" + UUID.randomUUID()).redirectOutput(log.toFile()).start();
    try {
      waitHealthy(port, node, log);
      Path cli = unpacked.resolve("examples/cli");
      String url = "--url=http://127.0.0.1:" + port;
      ok(cli, "online-endpoint", "create", "--name", "release-ep", "-f",
          "endpoints/online/managed/sample/endpoint.yml", "-o", "none", url);
      ok(cli, "online-deployment", "create", "--name", "blue", "--endpoint-name", "release-ep", "-f",
          "endpoints/online/managed/sample/blue-deployment.yml", "--all-traffic", "-o", "none", url);
      String answer = ok(cli, "online-endpoint", "invoke", "--name", "release-ep", "--request-file",
          "endpoints/online/model-1/sample-request.json", url);
      assertThat(answer).as(Files.readString(log)).matches("\\[38507\\.0\\d*, 22007\\.0\\d*\\]|\\[38506\\.99\\d*, 22006\\.99\\d*\\]");
      assertThat(ok(cli, "node", "list", "--query", "[0].version", "-o", "tsv", url)).startsWith(VERSION + " (");
    } finally {
      node.destroy(); // SIGTERM
      assertThat(node.waitFor(90, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(node.exitValue()).isZero();
    assertThat(Files.readString(log)).contains("left the cluster");

    // the first start made the class-data archive beside the jar; the next start maps it (-Xshare:on: or fails)
    assertThat(Files.readString(log)).contains("sluice: making the class-data archive");
    List<Path> archives;
    try (var files = Files.list(unpacked.resolve("lib"))) {
      archives = files.filter(f -> f.getFileName().toString().endsWith(".jsa")).toList();
    }
    assertThat(archives).hasSize(1);
    Path again = tmp.resolve("node-again.log");
    ProcessBuilder pb = sluice(unpacked, "node", "--http-port", String.valueOf(port), "--bridge-port", "-1",
        "--cluster-name", "release-" + UUID.randomUUID()).redirectOutput(again.toFile());
    Path loaded = tmp.resolve("classes-loaded.txt");
    pb.environment().put("SLUICE_JAVA_OPTS", "-Xshare:on -Xlog:class+load=info:file=" + loaded);
    Process second = pb.start();
    try {
      waitHealthy(port, second, again);
    } finally {
      second.destroy();
      assertThat(second.waitFor(90, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(Files.readString(again)).doesNotContain("class-data archive").contains("left the cluster");
    // "top": the archive over the JDK's own, i.e. the one made for this jar
    assertThat(Files.readAllLines(loaded).stream().filter(l -> l.contains("source: shared objects file (top)")))
        .as("classes the node took from its archive").hasSizeGreaterThan(1000);
  }

  private static void waitHealthy(int port, Process node, Path log) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      assertThat(node.isAlive()).as("the node exited:\n%s", Files.readString(log)).isTrue();
      try {
        if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      assertThat(System.nanoTime()).as("the node healthy within 120 s:\n%s", Files.readString(log))
          .isLessThan(deadline);
      node.waitFor(200, TimeUnit.MILLISECONDS); // returns at once if the node exits
    }
  }

  private static String run(List<String> cmd, Path cwd) throws Exception {
    Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", cmd) + ":\n" + out).isZero();
    return out;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
