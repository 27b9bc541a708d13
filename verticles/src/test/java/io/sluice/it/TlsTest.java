package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.cli.SluiceCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS switched on by node config, with a self-signed certificate: HTTPS for scoring and the control plane, mutual
 * TLS on the event bus between two nodes (the scorer runs on the other node, so every request crosses it).
 */
class TlsTest {
  @TempDir
  Path tmp;

  @Test
  void httpsAndAnEncryptedEventBus() throws Exception {
    Process gen = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
        tmp.resolve("key.pem").toString(), "-out", tmp.resolve("cert.pem").toString(), "-days", "1", "-subj",
        "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost").redirectErrorStream(true).start();
    assumeTrue(gen.waitFor(60, TimeUnit.SECONDS) && gen.exitValue() == 0, "skipped: openssl cannot make a certificate");
    String cert = tmp.resolve("cert.pem").toString();
    String key = tmp.resolve("key.pem").toString();
    Path conf = Files.writeString(tmp.resolve("tls.yaml"), """
        tls:
          http: {cert: %s, key: %s}
          event_bus: {cert: %s, key: %s, trust: %s}
        """.formatted(cert, key, cert, key, cert));
    String cluster = "tls-" + UUID.randomUUID();
    NodeProcess router = new NodeProcess(tmp.resolve("home"), cluster).with("--config", conf.toString(),
        "--instance-types", "here");
    NodeProcess scorer = new NodeProcess(tmp.resolve("home"), cluster).with("--config", conf.toString(),
        "--instance-types", "there");
    try {
      router.startTls(cert);
      scorer.startTls(cert);
      Map<String, String> env = Map.of("SLUICE_HOME", tmp.resolve("home").toString(), "SLUICE_URL",
          "https://127.0.0.1:" + router.port, "SLUICE_CA_FILE", cert);
      assertThat(run(env, "online-endpoint", "create", "-n", "tls-ep", "-o", "tsv", "--query", "scoring_uri"))
          .isEqualTo("https://127.0.0.1:" + router.port + "/endpoints/tls-ep/score");
      run(env, "online-deployment", "create", "-f", Samples.repo().resolve("examples/java-echo/echo-deployment.yml")
          .toString(), "-e", "tls-ep", "-n", "echo", "--all-traffic", "--set", "instance_type=there", "-o", "none");
      Path req = Files.writeString(tmp.resolve("req.json"), "{\"over\": \"tls\"}");
      assertThat(run(env, "online-endpoint", "invoke", "-n", "tls-ep", "-r", req.toString()))
          .isEqualTo("{\"over\": \"tls\"}");
      // without the certificate the CLI refuses to talk to the node
      Map<String, String> untrusting = Map.of("SLUICE_HOME", tmp.resolve("home").toString(), "SLUICE_URL",
          "https://127.0.0.1:" + router.port);
      StringWriter err = new StringWriter();
      int code = SluiceCli.run(new String[] {"online-endpoint", "list"}, untrusting, new PrintWriter(new StringWriter()),
          new PrintWriter(err));
      assertThat(code).isEqualTo(1);
    } finally {
      scorer.stop();
      router.stop();
    }
  }

  private static String run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = SluiceCli.run(args, env, new PrintWriter(out), new PrintWriter(err));
    assertThat(code).as("%s: %s", String.join(" ", args), err).isZero();
    return out.toString().trim();
  }
}
