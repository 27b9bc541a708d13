package io.sluice.scorer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run() that returns a generator streams: the answer comes with the first item, each further item is pulled by
 * the consumer, an exception after the first item breaks the stream, and nothing is read from the script ahead of
 * what the consumer asked for. One real Python worker, shared by the tests (each leaves it idle).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PythonStreamTest {
  @TempDir
  static Path dir;
  Scorer scorer;

  static final String SCRIPT = """
      import json, os, time
      def init():
          pass
      def run(d):
          kind, _, arg = d.partition(":")
          if kind == "rows":
              return ({"i": i} for i in range(int(arg)))
          if kind == "words":
              return iter(arg.split())
          if kind == "empty":
              return iter(())
          if kind == "early":
              def early():
                  raise ValueError("before anything")
                  yield 1
              return early()
          if kind == "late":
              def late():
                  yield "one"
                  raise ValueError("boom")
              return late()
          if kind == "stall":
              def stall():
                  yield "first"
                  time.sleep(30)
                  yield "never"
              return stall()
          if kind == "endless":
              def endless():
                  n = 0
                  try:
                      while True:
                          n += 1
                          with open(arg, "w") as f:
                              f.write("%d %d" % (os.getpid(), n))
                          yield "x" * 65536
                  finally:
                      with open(arg, "a") as f:
                          f.write(" closed")
              return endless()
          return d
      """;

  @BeforeAll
  void start() throws Exception {
    List<String> logs = new CopyOnWriteArrayList<>();
    scorer = PythonScorerTest.scorer(dir, SCRIPT, logs, 1, Probe.DEFAULT, Probe.DEFAULT);
    scorer.start().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @AfterAll
  void stop() {
    scorer.close();
  }

  ScoreResult call(String body, long runTimeoutMs) throws Exception {
    return send(body, runTimeoutMs).get(30, TimeUnit.SECONDS);
  }

  CompletableFuture<ScoreResult> send(String body, long runTimeoutMs) {
    return scorer.score(new ScoreRequest("req-" + body.hashCode(), body.getBytes(StandardCharsets.UTF_8), Map.of(),
        runTimeoutMs, 0)).toCompletableFuture();
  }

  static String next(ChunkStream s) throws Exception {
    byte[] b = s.next().toCompletableFuture().get(30, TimeUnit.SECONDS);
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  /** Every chunk after the first, pulled to the end. */
  static List<String> rest(ChunkStream s) throws Exception {
    List<String> out = new ArrayList<>();
    for (String c = next(s); c != null; c = next(s)) {
      out.add(c);
    }
    return out;
  }

  @Test
  void eachItemIsAChunkInOrderAndTheAnswerComesWithTheFirst() throws Exception {
    ScoreResult r = call("rows:4", 5000);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).isEqualTo("application/x-ndjson");
    assertThat(r.bodyText()).isEqualTo("{\"i\": 0}\n");
    assertThat(rest(r.rest())).containsExactly("{\"i\": 1}\n", "{\"i\": 2}\n", "{\"i\": 3}\n");
    assertThat(r.rest().next().toCompletableFuture().get(5, TimeUnit.SECONDS)).as("over: null again").isNull();

    ScoreResult words = call("words:a b c", 5000);
    assertThat(words.contentType()).isEqualTo("text/plain; charset=utf-8");
    assertThat(words.bodyText()).isEqualTo("a");
    assertThat(rest(words.rest())).containsExactly("b", "c");

    ScoreResult empty = call("empty", 5000);
    assertThat(empty.body()).isEmpty();
    assertThat(rest(empty.rest())).isEmpty();
    assertThat(call("plain", 5000).rest()).as("anything else is whole, as before").isNull();
  }

  @Test
  void anExceptionBeforeTheFirstItemIsAnErrorAnswerAndAfterItBreaksTheStream() throws Exception {
    ScoreResult early = call("early", 5000);
    assertThat(early.status()).isEqualTo(500);
    assertThat(early.rest()).isNull();

    ScoreResult late = call("late", 5000);
    assertThat(late.status()).isEqualTo(200);
    assertThat(late.bodyText()).isEqualTo("one");
    assertThatThrownBy(() -> next(late.rest())).isInstanceOf(ExecutionException.class)
        .hasMessageContaining("run() raised after the stream began: ValueError: boom");
    assertThat(call("after", 5000).bodyText()).as("the worker goes on").isEqualTo("\"after\"");
  }

  /** A consumer that takes nothing for the run budget has its stream ended: the worker is not held by nobody. */
  @Test
  void aStreamNobodyPullsIsEndedAfterTheBudget() throws Exception {
    ScoreResult r = call("words:a b c", 1000);
    r.rest().over().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThatThrownBy(() -> next(r.rest())).hasMessageContaining("the client took nothing for request_timeout_ms");
    assertThat(call("after-idle", 5000).bodyText()).isEqualTo("\"after-idle\"");
  }

  @Test
  void aScriptSilentPastTheBudgetBetweenChunksIsReplaced() throws Exception {
    ScoreResult r = call("stall", 1000);
    assertThat(r.bodyText()).isEqualTo("first");
    assertThatThrownBy(() -> next(r.rest())).hasMessageContaining("no chunk within request_timeout_ms=1000 ms");
    r.rest().over().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(call("after-stall", 20_000).bodyText()).isEqualTo("\"after-stall\"");
  }

  /**
   * An endless generator of 64 KiB items: after three pulls the script blocks writing (the pipe is full, nothing
   * is read ahead), a request sent meanwhile waits, and a cancel closes the generator and frees the worker for it.
   */
  @Test
  void aConsumerThatStopsPullingStopsTheScriptAndCancellingClosesIt() throws Exception {
    Path progress = dir.resolve("progress.txt");
    ScoreResult r = call("endless:" + progress, 20_000);
    for (int i = 0; i < 3; i++) {
      assertThat(next(r.rest())).hasSize(65536);
    }
    PythonScorerTest.waitFor(() -> wchan(progress).endsWith("pipe_write"), "the script blocked writing");
    long made = Long.parseLong(Files.readString(progress).split(" ")[1]);
    assertThat(made).as("items made while 4 were taken: the pipe's 64 KiB hold one more").isLessThanOrEqualTo(8);
    CompletableFuture<ScoreResult> waiting = send("behind", 20_000);
    r.rest().cancel();
    assertThat(waiting.get(30, TimeUnit.SECONDS).bodyText()).isEqualTo("\"behind\"");
    assertThat(Files.readString(progress)).endsWith(" closed");
    assertThatThrownBy(() -> next(r.rest())).hasMessageContaining("cancelled");
    assertThat(r.rest().over().toCompletableFuture().isDone()).isTrue();
  }

  /** What the script's process waits in, from /proc (its pid is in the progress file). */
  static String wchan(Path progress) {
    try {
      String pid = Files.readString(progress).split(" ")[0];
      return Files.readString(Path.of("/proc", pid, "wchan")).trim();
    } catch (Exception e) {
      return "";
    }
  }
}
