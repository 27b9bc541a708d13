package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.bridge.BridgeFrames;
import io.sluice.client.SluiceClient;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * One node with the default configuration (but a 1 MiB body limit and 2 MiB unpacked uploads), tried from outside: applications score through
 * the event-bus bridge (Java and Python clients) and reach nothing else there; every socket listens on loopback;
 * SLUICE_HOME and the store are the owner's only; a token of a deleted endpoint does not open its re-created
 * namesake; a refused request costs its headers only and cannot grow the metrics.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClosedDoorsTest {
  @TempDir
  static Path tmp;
  NodeProcess node;
  Cli cli;
  String key;

  @BeforeAll
  void start() throws Exception {
    Path conf = Files.writeString(tmp.resolve("limits.yaml"), "limits:\n  max_body_bytes: 1048576\n  max_unpacked_bytes: 2097152\n");
    node = new NodeProcess(tmp.resolve("home"), "doors-" + UUID.randomUUID()).with("--config", conf.toString()).start();
    cli = new Cli(tmp.resolve("home"), node.url());
    cli.ok("online-endpoint", "create", "-n", "door-ep");
    cli.ok("online-deployment", "create", "-f", echo(), "-e", "door-ep", "-n", "echo", "--all-traffic");
    key = cli.ok("online-endpoint", "get-credentials", "-n", "door-ep", "-o", "tsv", "--query", "primaryKey");
  }

  @AfterAll
  void stop() throws Exception {
    node.stop();
  }

  static String echo() {
    return Samples.repo().resolve("examples/java-echo/echo-deployment.yml").toString();
  }

  @Test
  void theBridgeScoresWithAKeyAndRefusesEverythingElse() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      SluiceClient client = SluiceClient.connect(vertx, "127.0.0.1", node.bridgePort).await(20, TimeUnit.SECONDS);
      SluiceClient.Answer a = client.invoke("door-ep", key, "{\"x\": 1}", null).await(20, TimeUnit.SECONDS);
      assertThat(a.body()).isEqualTo("{\"x\": 1}");
      assertThat(a.deployment()).isEqualTo("echo");
      try {
        client.invoke("door-ep", "wrong-key", "{}", null).await(20, TimeUnit.SECONDS);
        throw new AssertionError("a wrong key must fail");
      } catch (ReplyException e) {
        assertThat(e.failureCode()).isEqualTo(401);
      }
    } finally {
      vertx.close().await(20, TimeUnit.SECONDS);
    }
    try (Socket s = new Socket("127.0.0.1", node.bridgePort)) {
      s.setSoTimeout(20_000);
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      DataInputStream in = new DataInputStream(s.getInputStream());
      for (JsonObject frame : List.of(
          send("sluice.endpoints", new JsonObject().put("op", "snapshot")),
          send("sluice.endpoints.internal", new JsonObject().put("op", "snapshot")),
          send("sluice.scorer.any", new JsonObject()),
          new JsonObject().put("type", "register").put("address", "sluice.load"),
          new JsonObject().put("type", "publish").put("address", "sluice.events").put("body", new JsonObject()))) {
        out.write(BridgeFrames.frame(frame).getBytes());
        JsonObject answer = read(in);
        assertThat(answer.getString("type")).as(frame.encode()).isEqualTo("err");
        assertThat(answer.getString("message")).as(frame.encode()).isEqualTo("access_denied");
      }
      out.write(BridgeFrames.frame(new JsonObject().put("type", "ping")).getBytes());
      assertThat(read(in).getString("type")).isEqualTo("pong");
      // a frame announcing 1 GiB is refused before its bytes are read, and the connection closed
      out.writeInt(1 << 30);
      out.write(new byte[1024]);
      assertThat(read(in).getString("message")).contains("the limit is");
      try {
        read(in);
        throw new AssertionError("the connection should be closed");
      } catch (EOFException | java.net.SocketException closed) {
        // as it should
      }
    }
  }

  @Test
  void thePythonBridgeClientScores() throws Exception {
    Process p = new ProcessBuilder("python3", Samples.repo().resolve("examples/bridge-client/score_over_bridge.py")
        .toString(), "127.0.0.1", String.valueOf(node.bridgePort), "door-ep", key, "{\"from\": \"python\"}")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).isEqualTo("echo answered {\"from\": \"python\"}");
    Process bad = new ProcessBuilder("python3", Samples.repo().resolve("examples/bridge-client/score_over_bridge.py")
        .toString(), "127.0.0.1", String.valueOf(node.bridgePort), "door-ep", "wrong", "{}").redirectErrorStream(true)
        .start();
    String refused = new String(bad.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(bad.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(bad.exitValue()).isEqualTo(1);
    assertThat(refused).startsWith("HTTP 401:");
  }

  @Test
  void everySocketOfTheNodeIsOnLoopback() throws Exception {
    List<String> listening = new ArrayList<>();
    List<Long> pids = new ArrayList<>(List.of(node.pid()));
    ProcessHandle.of(node.pid()).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
    Process ss = new ProcessBuilder("ss", "-H", "-ltunp").redirectErrorStream(true).start();
    for (String line : new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
      if (pids.stream().anyMatch(pid -> line.contains("pid=" + pid + ","))) {
        listening.add(line.trim().split("\\s+")[4]); // Netid State Recv-Q Send-Q Local-Address:Port ...
      }
    }
    assertThat(ss.waitFor(20, TimeUnit.SECONDS)).isTrue();
    // HTTP, the bridge, Hazelcast, the event bus and the embedded store's server, at least
    assertThat(listening).hasSizeGreaterThanOrEqualTo(5)
        .contains("127.0.0.1:" + node.port, "127.0.0.1:" + node.bridgePort)
        .allSatisfy(a -> assertThat(a).startsWith("127.0.0.1:"));
  }

  @Test
  void theHomeAndTheStoreAreTheOwnersOnly() throws Exception {
    Path home = tmp.resolve("home");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home))).isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("store"))))
        .isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("admin-token"))))
        .isEqualTo("rw-------");
    try (Stream<Path> files = Files.list(home.resolve("store"))) {
      List<Path> all = files.toList();
      assertThat(all).isNotEmpty().allSatisfy(f -> assertThat(PosixFilePermissions.toString(
          Files.getPosixFilePermissions(f))).as(f.toString()).isEqualTo("rw-------"));
    }
  }

  @Test
  void aTokenOfADeletedEndpointDoesNotOpenItsNamesake() throws Exception {
    cli.ok("online-endpoint", "create", "-n", "tok-ep", "--auth-mode", "aml_token");
    cli.ok("online-deployment", "create", "-f", echo(), "-e", "tok-ep", "-n", "echo", "--all-traffic");
    String old = cli.ok("online-endpoint", "get-credentials", "-n", "tok-ep", "-o", "tsv", "--query", "accessToken");
    Scoring scoring = new Scoring(node);
    assertThat(scoring.withKey("tok-ep", old, "{}").statusCode()).isEqualTo(200);
    assertThat(new String(java.util.Base64.getUrlDecoder().decode(old.split("\\.")[0]), StandardCharsets.UTF_8))
        .contains("\"alg\":\"ES256\"");
    cli.ok("online-endpoint", "delete", "-n", "tok-ep", "--yes");
    cli.ok("online-endpoint", "create", "-n", "tok-ep", "--auth-mode", "aml_token");
    cli.ok("online-deployment", "create", "-f", echo(), "-e", "tok-ep", "-n", "echo", "--all-traffic");
    assertThat(scoring.withKey("tok-ep", old, "{}").statusCode()).isEqualTo(401);
    String fresh = cli.ok("online-endpoint", "get-credentials", "-n", "tok-ep", "-o", "tsv", "--query",
        "accessToken");
    assertThat(scoring.withKey("tok-ep", fresh, "{}").statusCode()).isEqualTo(200);
  }

  @Test
  void unknownNamesShareOneMetricSeries() throws Exception {
    Scoring scoring = new Scoring(node);
    scoring.withKey("junk-0", "no-key", "{}");
    // series with an endpoint label only: the node's other meters (JVM, its own timers) may add one meanwhile
    long before = endpointSeries(scoring.get("/metrics").body());
    for (int i = 1; i <= 300; i++) {
      assertThat(scoring.withKey("junk-" + i, "no-key", "{}").statusCode()).isEqualTo(404);
    }
    String after = scoring.get("/metrics").body();
    assertThat(endpointSeries(after)).as("series added by 300 unknown names").isLessThanOrEqualTo(before + 2);
    assertThat(after).contains("endpoint=\"(unknown)\"").doesNotContain("junk-");
  }

  private static long endpointSeries(String metrics) {
    return metrics.lines().filter(l -> !l.startsWith("#") && l.contains("endpoint=\"")).count();
  }

  @Test
  void madeUpHttpMethodsShareOneMetricSeries() throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    for (int i = 0; i < 50; i++) {
      http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(node.url() + "/healthz"))
          .method("MADEUP" + i, java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
          java.net.http.HttpResponse.BodyHandlers.discarding());
    }
    String metrics = new Scoring(node).get("/metrics").body();
    assertThat(metrics).doesNotContain("MADEUP").containsPattern("vertx_http_server_requests_total\\{code=\"\\d+\","
        + "method=\"OTHER\"} 50.0").contains("vertx_http_server_requests_total{code=\"200\",method=\"GET\"}");
  }

  @Test
  void theSeriesOfADeletedDeploymentOrEndpointLeaveTheMetrics() throws Exception {
    Scoring scoring = new Scoring(node);
    cli.ok("online-endpoint", "create", "-n", "brief-ep");
    cli.ok("online-deployment", "create", "-f", echo(), "-e", "brief-ep", "-n", "one", "--all-traffic");
    cli.ok("online-deployment", "create", "-f", echo(), "-e", "brief-ep", "-n", "two");
    String k = cli.ok("online-endpoint", "get-credentials", "-n", "brief-ep", "-o", "tsv", "--query", "primaryKey");
    assertThat(scoring.withKey("brief-ep", k, "{}").statusCode()).isEqualTo(200);
    assertThat(scoring.score("brief-ep", "Bearer " + k, "two", "{}").statusCode()).isEqualTo(200);
    assertThat(scoring.withKey("brief-ep", "wrong", "{}").statusCode()).isEqualTo(401);
    assertThat(scoring.get("/metrics").body()).contains("deployment=\"two\",endpoint=\"brief-ep\"");
    cli.ok("online-deployment", "delete", "-n", "two", "-e", "brief-ep", "--yes");
    try {
      Await.until(() -> !scoring.get("/metrics").body().contains("deployment=\"two\",endpoint=\"brief-ep\""),
          java.time.Duration.ofSeconds(20), "the series of deployment two gone");
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + ": " + scoring.get("/metrics").body().lines()
          .filter(l -> l.contains("deployment=\"two\"")).toList());
    }
    assertThat(scoring.get("/metrics").body()).contains("deployment=\"one\",endpoint=\"brief-ep\"");
    cli.ok("online-endpoint", "delete", "-n", "brief-ep", "--yes");
    Await.until(() -> !scoring.get("/metrics").body().contains("endpoint=\"brief-ep\""),
        java.time.Duration.ofSeconds(30), "every series of endpoint brief-ep gone");
  }

  @Test
  void getLogsNamesABadTailAndReadsTheEnd() throws Exception {
    Scoring scoring = new Scoring(node);
    String token = Files.readString(tmp.resolve("home").resolve("admin-token")).trim();
    String path = "/api/endpoints/door-ep/deployments/echo/getLogs";
    for (String bad : List.of("{\"tail\": \"x\"}", "{\"tail\": -1}", "{\"tail\": 0}", "{\"tail\": 1.5}",
        "{\"tail\": 100001}")) {
      var r = scoring.adminPost(path, token, bad);
      assertThat(r.statusCode()).as(bad).isEqualTo(400);
      assertThat(r.body()).as(bad).contains("tail: must be a whole number of lines from 1 to 10000");
    }
    var ok = scoring.adminPost(path, token, "{\"tail\": 2}");
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).contains("content");
  }

  @Test
  void anUploadThatUnpacksOverTheLimitIsRefusedAndNotStored() throws Exception {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(bytes)) {
      z.putNextEntry(new java.util.zip.ZipEntry("zeros.bin"));
      z.write(new byte[3 << 20]); // 3 MiB of zeros: a few KiB zipped
      z.closeEntry();
    }
    String token = Files.readString(tmp.resolve("home").resolve("admin-token")).trim();
    var r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(node.url() + "/api/files")).header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/zip").POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(
            bytes.toByteArray())).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
    assertThat(r.body()).contains("limits.max_unpacked_bytes=2097152");
  }

  @Test
  void aRefusedRequestIsAnsweredBeforeItsBodyIsRead() throws Exception {
    // 60 MB announced, 1 KiB sent: the answer comes without the rest, and the connection is closed
    for (String[] c : List.of(new String[] {"/endpoints/nobody/score", "Bearer x", "404"},
        new String[] {"/endpoints/door-ep/score", "Bearer wrong", "401"})) {
      try (Socket s = new Socket("127.0.0.1", node.port)) {
        s.setSoTimeout(20_000);
        s.getOutputStream().write(("POST " + c[0] + " HTTP/1.1\r\nHost: x\r\nAuthorization: " + c[1]
            + "\r\nContent-Type: application/json\r\nContent-Length: 60000000\r\n\r\n").getBytes());
        s.getOutputStream().write(new byte[1024]);
        String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertThat(answer).startsWith("HTTP/1.1 " + c[2]).containsIgnoringCase("connection: close");
      }
    }
  }

  @Test
  void expectContinueIsAnsweredOnlyForARequestThatWillBeServed() throws Exception {
    try (Socket s = new Socket("127.0.0.1", node.port)) {
      s.setSoTimeout(20_000);
      s.getOutputStream().write(("POST /endpoints/door-ep/score HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong"
          + "\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n").getBytes());
      assertThat(statusLine(s)).isEqualTo("HTTP/1.1 401 Unauthorized");
    }
    try (Socket s = new Socket("127.0.0.1", node.port)) {
      s.setSoTimeout(20_000);
      s.getOutputStream().write(("POST /endpoints/door-ep/score HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key
          + "\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n").getBytes());
      assertThat(statusLine(s)).isEqualTo("HTTP/1.1 100 Continue");
      statusLine(s); // the blank line after the interim answer
      s.getOutputStream().write("{}".getBytes());
      assertThat(statusLine(s)).isEqualTo("HTTP/1.1 200 OK");
    }
  }

  @Test
  void aBodyOverTheLimitIsRefusedWhileItStreams() throws Exception {
    try (Socket s = new Socket("127.0.0.1", node.port)) {
      s.setSoTimeout(20_000);
      s.getOutputStream().write(("POST /endpoints/door-ep/score HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key
          + "\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes());
      byte[] chunk = new byte[64 * 1024];
      java.util.Arrays.fill(chunk, (byte) ' ');
      String answer = null;
      for (int i = 0; i < 64 && answer == null; i++) { // 4 MiB at most against a 1 MiB limit
        try {
          s.getOutputStream().write((Integer.toHexString(chunk.length) + "\r\n").getBytes());
          s.getOutputStream().write(chunk);
          s.getOutputStream().write("\r\n".getBytes());
        } catch (java.io.IOException closed) {
          break; // the node closed the connection after answering
        }
        if (s.getInputStream().available() > 0) {
          answer = statusLine(s);
        }
      }
      if (answer == null) {
        answer = statusLine(s);
      }
      assertThat(answer).isEqualTo("HTTP/1.1 413 Request Entity Too Large");
    }
    assertThat(new Scoring(node).withKey("door-ep", key, "{\"still\": \"serving\"}").statusCode()).isEqualTo(200);
    // a body in several chunks under the limit arrives whole, in order
    try (Socket s = new Socket("127.0.0.1", node.port)) {
      s.setSoTimeout(20_000);
      var out = s.getOutputStream();
      out.write(("POST /endpoints/door-ep/score HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key
          + "\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes());
      StringBuilder sent = new StringBuilder();
      for (String part : List.of("{\"parts\": [", "\"a\", ", "\"" + "b".repeat(70_000) + "\", ", "\"c\"]}")) {
        out.write((Integer.toHexString(part.length()) + "\r\n" + part + "\r\n").getBytes());
        out.flush();
        sent.append(part);
      }
      out.write("0\r\n\r\n".getBytes());
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(answer).startsWith("HTTP/1.1 200").endsWith(sent.toString());
    }
  }

  private static String statusLine(Socket s) throws Exception {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = s.getInputStream().read()) != -1 && c != '\n') {
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  private static JsonObject send(String address, JsonObject body) {
    return new JsonObject().put("type", "send").put("address", address).put("replyAddress", "r1").put("body", body);
  }

  private static JsonObject read(DataInputStream in) throws Exception {
    int n = in.readInt();
    byte[] b = new byte[n];
    in.readFully(b);
    return new JsonObject(new String(b, StandardCharsets.UTF_8));
  }
}
