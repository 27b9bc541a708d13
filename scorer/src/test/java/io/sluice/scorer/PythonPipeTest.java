package io.sluice.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A one-worker Python instance keeps its next request framed in the worker's pipe while the current one runs, so
 * the process starts it the moment it answers; Python still runs one request at a time.
 */
class PythonPipeTest {
  @TempDir
  Path dir;

  /** "look": waits (up to 10 s) for bytes of a next request in the process's input, without reading them. */
  static final String SCRIPT = """
      import os, sys, time
      def init():
          pass
      def run(d):
          print("ran " + d, flush=True)
          if d == "look":
              proto = sys.modules["__main__"]._proto_in
              deadline = time.time() + 10
              while time.time() < deadline:
                  if proto.waiting():
                      return "waiting"
                  time.sleep(0.02)
              return "empty"
          if d == "die":
              time.sleep(0.5)
              os._exit(9)
          return d
      """;

  static CompletableFuture<ScoreResult> send(Scorer s, String body) {
    return s.score(new ScoreRequest("req-" + body, body.getBytes(StandardCharsets.UTF_8), Map.of(), 20_000, 0))
        .toCompletableFuture();
  }

  @Test
  void theNextRequestIsInTheWorkersPipeWhileTheCurrentOneRuns() throws Exception {
    List<String> logs = new CopyOnWriteArrayList<>();
    try (Scorer s = PythonScorerTest.scorer(dir, SCRIPT, logs, 1, Probe.DEFAULT, Probe.DEFAULT)) {
      s.start().toCompletableFuture().get(20, TimeUnit.SECONDS);
      CompletableFuture<ScoreResult> look = send(s, "look");
      CompletableFuture<ScoreResult> next = send(s, "next");
      assertThat(look.get(30, TimeUnit.SECONDS).bodyText()).isEqualTo("\"waiting\"");
      assertThat(next.get(30, TimeUnit.SECONDS).bodyText()).isEqualTo("\"next\"");
      // the log lines come on the process's log stream, which may be read after the answers arrived
      PythonScorerTest.waitFor(() -> logs.stream().filter(l -> l.contains("ran ")).count() >= 2, "both log lines");
      assertThat(logs.stream().filter(l -> l.contains("ran ")).toList()).as("one at a time, in order")
          .satisfiesExactly(l -> assertThat(l).contains("ran look"), l -> assertThat(l).contains("ran next"));
    }
  }

  @Test
  void aRequestWaitingInThePipeOfAProcessThatDiesRunsOnTheNextProcess() throws Exception {
    List<String> logs = new CopyOnWriteArrayList<>();
    try (Scorer s = PythonScorerTest.scorer(dir, SCRIPT, logs, 1, Probe.DEFAULT, Probe.DEFAULT)) {
      s.start().toCompletableFuture().get(20, TimeUnit.SECONDS);
      CompletableFuture<ScoreResult> dies = send(s, "die");
      CompletableFuture<ScoreResult> after = send(s, "after");
      ScoreResult died = dies.get(30, TimeUnit.SECONDS);
      assertThat(died.status()).isEqualTo(500);
      assertThat(died.bodyText()).contains("exited while running this request");
      ScoreResult ran = after.get(30, TimeUnit.SECONDS);
      assertThat(ran.status()).isEqualTo(200);
      assertThat(ran.bodyText()).isEqualTo("\"after\"");
      // its log line comes on the process's log stream, which may be read after the answer arrived
      PythonScorerTest.waitFor(() -> logs.stream().anyMatch(l -> l.contains("ran after")), "the line of the run");
      assertThat(logs.stream().filter(l -> l.contains("ran after")).count()).as("it ran once").isEqualTo(1);
    }
  }
}
