package io.sluice.scorer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java runtime: a ScoringScript class compiled into a code folder, and the built-in examples. */
class JavaScorerTest {
  @TempDir
  Path dir;

  private static ScoreResult call(Scorer s, String body) throws Exception {
    return s.score(new ScoreRequest("r", body.getBytes(StandardCharsets.UTF_8), Map.of()))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void loadsAScriptClassFromTheCodeFolder() throws Exception {
    Path code = Files.createDirectories(dir.resolve("code"));
    Path src = Files.createDirectories(dir.resolve("src/demo")).resolve("Upper.java");
    Files.writeString(src, """
        package demo;
        import io.sluice.scorer.java.ScoringScript;
        import java.nio.file.*;
        import java.util.Map;
        public class Upper implements ScoringScript {
          String suffix;
          public void init(Path modelDir, Map<String, String> env) throws Exception {
            suffix = Files.readString(modelDir.resolve("model/suffix.txt")).trim();
          }
          public byte[] run(byte[] body, Map<String, String> headers) {
            if (body.length == 0) throw new IllegalArgumentException("empty");
            return ("\\"" + new String(body).toUpperCase() + suffix + "\\"").getBytes();
          }
        }
        """);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int rc = javac.run(null, null, null, "-d", code.toString(), "-cp", System.getProperty("java.class.path"),
        src.toString());
    assertThat(rc).isZero();
    Path model = Files.createDirectories(dir.resolve("models/model"));
    Files.writeString(model.resolve("suffix.txt"), "!");
    List<String> logs = new CopyOnWriteArrayList<>();
    try (Scorer s = Scorers.create(ScorerSpec.builder(code, "demo.Upper").model(dir.resolve("models"))
        .maxConcurrent(2).log(logs::add).build())) {
      s.start().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(call(s, "abc").bodyText()).isEqualTo("\"ABC!\"");
      ScoreResult err = call(s, "");
      assertThat(err.status()).isEqualTo(500);
      assertThat(logs).anyMatch(l -> l.contains("empty"));
    }
  }

  @Test
  void builtInsAndAClearErrorForAMissingClass() throws Exception {
    Path code = Files.createDirectories(dir.resolve("empty"));
    try (Scorer echo = Scorers.create(ScorerSpec.builder(code, "io.sluice.scorer.examples.EchoScorer").build())) {
      echo.start().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(call(echo, "{\"x\": 1}").bodyText()).isEqualTo("{\"x\": 1}");
    }
    try (Scorer constant = Scorers.create(ScorerSpec.builder(code, "io.sluice.scorer.examples.ConstantScorer")
        .environment(Map.of("SLUICE_CONSTANT", "[1]")).build())) {
      constant.start().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(call(constant, "anything").bodyText()).isEqualTo("[1]");
    }
    Scorer missing = Scorers.create(ScorerSpec.builder(code, "no.such.Scorer").build());
    assertThatThrownBy(() -> missing.start().toCompletableFuture().get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).hasMessageContaining("code_configuration.scoring_script");
    missing.close();
  }

  /**
   * A script that says (falsely) that it never blocks, and names its thread. "block" waits until interrupted (its
   * deadline); "stubbornN:NAME" waits for the latch the test put in the system properties under NAME, ignoring
   * interrupts; "hold:NAME" is a model at work until the test opens the latch NAME (the queue limit is judged when the
   * slot frees, so the busy run must end by itself).
   */
  private Path compileMisbehaving() throws Exception {
    Path code = Files.createDirectories(dir.resolve("slow-code"));
    Path src = Files.createDirectories(dir.resolve("slow-src/demo")).resolve("Slow.java");
    Files.writeString(src, """
        package demo;
        import io.sluice.scorer.java.ScoringScript;
        import java.util.Map;
        import java.util.concurrent.CountDownLatch;
        public class Slow implements ScoringScript {
          public boolean nonBlocking() {
            return true;
          }
          public byte[] run(byte[] body, Map<String, String> headers) throws Exception {
            String b = new String(body);
            if (b.equals("block")) {
              new CountDownLatch(1).await();
            } else if (b.startsWith("hold")) {
              gate(b).await(); // a model at work until the test lets it end
            } else if (b.startsWith("stubborn")) {
              while (true) {
                try {
                  gate(b).await();
                  break;
                } catch (InterruptedException ignored) {
                  // carries on regardless
                }
              }
            }
            return ("\\"" + Thread.currentThread().getName() + "\\"").getBytes();
          }
          static CountDownLatch gate(String body) {
            return (CountDownLatch) System.getProperties().get(body.substring(body.indexOf(':') + 1));
          }
        }
        """);
    int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", code.toString(), "-cp",
        System.getProperty("java.class.path"), src.toString());
    assertThat(rc).isZero();
    return code;
  }

  private static java.util.concurrent.CompletableFuture<ScoreResult> send(Scorer s, String body, long runTimeout,
                                                                          long queueTimeout) {
    return s.score(new ScoreRequest("req-" + body, body.getBytes(StandardCharsets.UTF_8), Map.of(), runTimeout,
        queueTimeout)).toCompletableFuture();
  }

  @Test
  void aUserScriptRunsOnItsWorkerThreadsWithinItsDeadlineAndQueueLimit() throws Exception {
    List<String> logs = new CopyOnWriteArrayList<>();
    try (Scorer s = Scorers.create(ScorerSpec.builder(compileMisbehaving(), "demo.Slow").log(logs::add).build())) {
      s.start().toCompletableFuture().get(10, TimeUnit.SECONDS);
      // it says it never blocks, yet it does not run on the caller's thread
      assertThat(send(s, "who", 5000, 500).get(10, TimeUnit.SECONDS).bodyText()).startsWith("\"java-scorer-");
      // over its deadline: 408, and the interrupted thread serves the next request
      long t0 = System.nanoTime();
      ScoreResult late = send(s, "block", 300, 500).get(10, TimeUnit.SECONDS);
      assertThat(late.status()).isEqualTo(408);
      assertThat(late.fromRuntime()).isTrue();
      assertThat(late.bodyText()).contains("request_timeout_ms=300");
      assertThat((System.nanoTime() - t0) / 1e9).isLessThan(9); // its deadline, not a wait without end
      assertThat(send(s, "who", 5000, 500).get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
      // the queue: a request behind a busy slot for longer than max_queue_wait_ms gets 429
      String hold = gate("hold");
      var busy = send(s, "hold:" + hold, 5000, 100);
      long sent = System.nanoTime();
      var waiting = send(s, "who", 5000, 100);
      // the limit is judged when the slot frees: let the model end once the queued request is past its 100 ms
      await("the queued request past max_queue_wait_ms").atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(20)).until(() -> System.nanoTime() - sent > 150_000_000L);
      open(hold);
      ScoreResult queued = waiting.get(10, TimeUnit.SECONDS);
      assertThat(queued.status()).isEqualTo(429);
      assertThat(queued.bodyText()).contains("max_queue_wait_ms=100");
      assertThat(busy.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    }
    assertThat(logs).noneMatch(l -> l.contains("abandoned"));
  }

  /** A closed latch the script can reach (system properties hold objects), named uniquely. */
  private static String gate(String name) {
    String key = "sluice.test." + name + "." + java.util.UUID.randomUUID();
    System.getProperties().put(key, new java.util.concurrent.CountDownLatch(1));
    return key;
  }

  private static void open(String gate) {
    ((java.util.concurrent.CountDownLatch) System.getProperties().remove(gate)).countDown();
  }

  private static void waitForLog(List<String> logs, java.util.function.Predicate<String> line) {
    await("a log line").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
        .until(() -> logs.stream().anyMatch(line));
  }

  @Test
  void aRunThatIgnoresTheInterruptCostsAThreadNotTheSlot() throws Exception {
    List<String> logs = new CopyOnWriteArrayList<>();
    try (Scorer s = Scorers.create(ScorerSpec.builder(compileMisbehaving(), "demo.Slow").log(logs::add).build())) {
      s.start().toCompletableFuture().get(10, TimeUnit.SECONDS);
      String gate = gate("stubborn-gate"); // opened at the end: the stuck threads then finish
      assertThat(send(s, "stubborn0:" + gate, 200, 0).get(10, TimeUnit.SECONDS).status()).isEqualTo(408);
      // the only slot got a new thread: the next request is served while the old thread still sleeps
      ScoreResult next = send(s, "who", 5000, 0).get(10, TimeUnit.SECONDS);
      assertThat(next.status()).isEqualTo(200);
      assertThat(logs).anyMatch(l -> l.contains("ignored the interrupt") && l.contains("abandoned"));
      assertThat(s.healthy()).isTrue();
      // four stuck threads at once (one slot) and the instance gives up (it is then replaced)
      for (int i = 1; i < 4; i++) {
        String id = "stubborn" + i + ":" + gate;
        assertThat(send(s, id, 100, 0).get(10, TimeUnit.SECONDS).status()).isEqualTo(408);
        waitForLog(logs, l -> l.contains(id) && l.contains("abandoned"));
      }
      waitForLog(logs, l -> l.contains("the instance gives up"));
      assertThat(s.healthy()).isFalse();
      assertThat(s.alive()).isFalse();
      assertThat(logs).anyMatch(l -> l.contains("the instance gives up"));
      open(gate);
    }
  }
}
