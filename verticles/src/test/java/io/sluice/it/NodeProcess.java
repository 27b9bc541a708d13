package io.sluice.it;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real Sluice node in its own JVM (the test classpath), as {@code bin/sluice node} starts it. */
public final class NodeProcess implements AutoCloseable {
  static final List<String> JVM_FLAGS = List.of("--add-modules", "java.se", "--add-exports",
      "java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens",
      "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens",
      "java.management/sun.management=ALL-UNNAMED", "--add-opens",
      "jdk.management/com.sun.management.internal=ALL-UNNAMED", "-Djava.net.preferIPv4Stack=true", "-Xmx512m");

  final Path home;
  final int port;
  /** The node's event-bus bridge port (applications score through it). */
  final int bridgePort;
  final String cluster;
  private final List<String> extraArgs = new ArrayList<>();
  private final List<String> prefix = new ArrayList<>();
  private String host = "127.0.0.1";
  private Process process;
  /** JVM flags of this node's own; null: the class-data archive's ({@link NodeClasses}). */
  List<String> jvmFlags;

  public NodeProcess(Path home, String cluster) throws IOException {
    this(home, cluster, freePort());
  }

  public NodeProcess(Path home, String cluster, int port) {
    this.home = home;
    this.cluster = cluster;
    this.port = port;
    try {
      this.bridgePort = freePort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** More `sluice node` flags, e.g. --store-url. */
  public NodeProcess with(String... args) {
    extraArgs.addAll(List.of(args));
    return this;
  }

  /** Runs the node inside a network namespace, as a separate host with its own address. */
  public NodeProcess inNamespace(String namespace, String address) {
    prefix.addAll(List.of("ip", "netns", "exec", namespace));
    host = address;
    return with("--cluster-host", address, "--public-url", "http://" + address + ":" + port);
  }

  /** The node JVM's process id (its listening sockets are checked by pid). */
  public long pid() {
    return process.pid();
  }

  public String host() {
    return host;
  }

  public String url() {
    return "http://" + host + ":" + port;
  }

  /** Starts a node that serves HTTPS with {@code certFile} (PEM), trusting it for the health check. */
  public NodeProcess startTls(String certFile) throws Exception {
    healthClient = HttpClient.newBuilder().sslContext(io.sluice.cli.ApiClient.trusting(certFile)).build();
    scheme = "https";
    return start();
  }

  private HttpClient healthClient = HttpClient.newHttpClient();

  /** The value of one series of this node's /metrics (the first line named so); -1 when there is none. */
  public double metric(String name) throws Exception {
    String text = healthClient.send(HttpRequest.newBuilder(URI.create(url().replaceFirst("^http:", scheme + ":")
        + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    return text.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{")).mapToDouble(l ->
        Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(-1);
  }
  private String scheme = "http";



  /** What /healthz must say before start() returns: UP, or DRAINED for a node whose router an operator drained. */
  private String expected = "UP";

  public NodeProcess expecting(String healthStatus) {
    expected = healthStatus;
    return this;
  }

  private File launch() throws IOException {
    Files.createDirectories(home);
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(JVM_FLAGS);
    cmd.addAll(jvmFlags != null ? jvmFlags : NodeClasses.sharingFlags());
    cmd.addAll(List.of("-cp", NodeClasses.CLASSPATH, "io.sluice.node.Main", "node",
        "--http-port", String.valueOf(port), "--bridge-port", String.valueOf(bridgePort), "--home", home.toString(),
        "--cluster-name", cluster));
    cmd.addAll(extraArgs);
    File log = home.resolve("node-" + port + ".out").toFile();
    process = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
    return log;
  }

  /** Starts a node that is expected to stop by itself (it refuses to join): its exit code. */
  public int runToExit(Duration timeout) throws Exception {
    launch();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError("node :" + port + " still running after " + timeout + "\n" + log());
    }
    return process.exitValue();
  }

  /** This node's /healthz body. */
  public String health() throws Exception {
    return healthClient.send(HttpRequest.newBuilder(URI.create(url().replaceFirst("^http:", scheme + ":")
        + "/healthz")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  public NodeProcess start() throws Exception {
    long t0 = System.nanoTime();
    File log = launch();
    try {
      Await.until(() -> {
        if (!process.isAlive()) {
          throw new AssertionError("node exited");
        }
        return health().contains("\"status\":\"" + expected + "\"");
      }, Duration.ofSeconds(90), "node :" + port + " healthy (" + expected + ")");
    } catch (AssertionError e) {
      throw new IllegalStateException(e.getMessage() + "\n" + Files.readString(log.toPath()), e);
    }
    System.out.printf("node :%d up in %.1f s%n", port, (System.nanoTime() - t0) / 1e9);
    return this;
  }

  /** SIGTERM: the node drains its instances and leaves the cluster. */
  public void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      long t0 = System.nanoTime();
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      System.out.printf("node :%d stopped in %.1f s%n", port, (System.nanoTime() - t0) / 1e9);
    }
  }

  /** kill -9: no drain, no goodbye to the cluster. */
  public void kill() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Up to {@code max} of the node log's WARN and ERROR lines, one per line, indented: what a failed test shows. */
  public String warnings(int max) throws IOException {
    StringBuilder out = new StringBuilder();
    log().lines().filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).limit(max)
        .forEach(l -> out.append("\n  ").append(l));
    return out.toString();
  }

  public String log() throws IOException {
    Path p = home.resolve("node-" + port + ".out");
    return Files.exists(p) ? Files.readString(p) : "";
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
