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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * request_settings.max_batch_size > 1: a worker gathers waiting requests into one run_batch() call, real Python
 * processes, each request with its own answer.
 */
class PythonBatchTest {
  @TempDir
  Path dir;

  /**
   * run_batch echoes each input upper-cased and prints the batch's size; "gate" blocks the batch that holds it until
   * the file "open" exists (so the test decides when a batch ends); "boom" raises; "short" drops one result.
   */
  static final String SCRIPT = """
      import os, time
      def init():
          pass
      def run(d):
          return "single " + d
      def run_batch(items):
          print("batch of %d: %s" % (len(items), ",".join(items)), flush=True)
          if "gate" in items:
              while not os.path.exists("open"):
                  time.sleep(0.01)
          if "boom" in items:
              raise ValueError("the model cannot take this batch")
          if "short" in items:
              return [i.upper() for i in items][1:]
          if "nap" in items:
              time.sleep(1.0)
          return [i.upper() for i in items]
      """;

  private Scorer scorer(String script, List<String> logs, int maxBatch, long waitMs) throws Exception {
    Path code = Files.createDirectories(dir.resolve("code"));
    Files.writeString(code.resolve("score.py"), script);
    return Scorers.create(ScorerSpec.builder(code, "score.py").python(PythonScorerTest.PYTHON).log(logs::add)
        .batching(maxBatch, waitMs).build());
  }

  private static CompletableFuture<ScoreResult> send(Scorer s, String body, long runMs, long queueMs) {
    return s.score(new ScoreRequest("req-" + body, body.getBytes(StandardCharsets.UTF_8), Map.of(), runMs, queueMs))
        .toCompletableFuture();
  }

  private static List<String> batchLines(List<String> logs) {
    return logs.stream().filter(l -> l.contains("batch of ")).toList();
  }

  /**
   * Sends "gate" and waits until its batch runs, sends {@code bodies} with a run budget of {@code runMs} (they wait
   * behind it), then lets the gate's batch end; returns the answers of {@code bodies} to come.
   */
  private List<CompletableFuture<ScoreResult>> behindAGate(Scorer s, List<String> logs, long runMs, String... bodies)
      throws Exception {
    CompletableFuture<ScoreResult> gate = send(s, "gate", 20_000, 20_000);
    PythonScorerTest.waitFor(() -> batchLines(logs).size() == 1, "the gate's batch running");
    List<CompletableFuture<ScoreResult>> sent = new ArrayList<>();
    for (String body : bodies) {
      sent.add(send(s, body, runMs, 20_000));
    }
    Files.writeString(dir.resolve("code/open"), "");
    assertThat(gate.get(30, TimeUnit.SECONDS).bodyText()).isEqualTo("\"GATE\"");
    return sent;
  }

  @Test
  void waitingRequestsRunAsOneBatchAndEachGetsItsOwnAnswer() throws Exception {
    List<String> logs = new CopyOnWriteArrayList<>();
    try (Scorer s = scorer(SCRIPT, logs, 4, 1000)) {
      s.start().toCompletableFuture().get(20, TimeUnit.SECONDS);
      List<CompletableFuture<ScoreResult>> waiting = behindAGate(s, logs, 20_000, "r0", "r1", "r2", "r3", "r4", "r5");
      for (int i = 0; i < 6; i++) {
        ScoreResult r = waiting.get(i).get(30, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).as("request %d gets its own result", i).isEqualTo("\"R" + i + "\"");
      }
      PythonScorerTest.waitFor(() -> batchLines(logs).size() >= 3, "the batch lines");
      // six waited while the gate ran: they go as one batch of four (max_batch_size) and one of two, in order
      assertThat(batchLines(logs)).satisfiesExactly(
          l -> assertThat(l).contains("batch of 1: gate"),
          l -> assertThat(l).contains("batch of 4: r0,r1,r2,r3"),
          l -> assertThat(l).contains("batch of 2: r4,r5"));
    }
  }

  @Test
  void aLoneRequestDoesNotWaitForABatchToFillBeyondTheWait() throws Exception {
    List<String> logs = new CopyOnWriteArrayList<>();
    try (Scorer s = scorer(SCRIPT, logs, 32, 50)) {
      s.start().toCompletableFuture().get(20, TimeUnit.SECONDS);
      ScoreResult r = send(s, "alone", 20_000, 20_000).get(30, TimeUnit.SECONDS);
      assertThat(r.bodyText()).isEqualTo("\"ALONE\"");
      PythonScorerTest.waitFor(() -> !batchLines(logs).isEmpty(), "the batch's log line");
      assertThat(batchLines(logs)).singleElement().asString().contains("batch of 1: alone");
    }
  }

  @Test
  void anExceptionFailsEveryRequestOfTheBatchAsTheModelsErrorAndLogsTheTracebackOnce() throws Exception {
    List<String> logs = new CopyOnWriteArrayList<>();
    try (Scorer s = scorer(SCRIPT, logs, 8, 1000)) {
      s.start().toCompletableFuture().get(20, TimeUnit.SECONDS);
      List<CompletableFuture<ScoreResult>> batch = behindAGate(s, logs, 20_000, "a", "boom", "b");
      for (CompletableFuture<ScoreResult> f : batch) {
        ScoreResult r = f.get(30, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.fromRuntime()).as("the script's error: the router makes it Azure's 424").isFalse();
        assertThat(r.bodyText()).contains("An unexpected error occurred in scoring script");
      }
      PythonScorerTest.waitFor(() -> logs.stream().anyMatch(l -> l.contains("cannot take this batch")), "traceback");
      assertThat(logs.stream().filter(l -> l.contains("Encountered Exception in run_batch")).toList())
          .singleElement().asString().contains("a batch of 3 requests: req-a, req-boom, req-b");
      // the worker lives on
      assertThat(send(s, "after", 20_000, 20_000).get(30, TimeUnit.SECONDS).bodyText()).isEqualTo("\"AFTER\"");
    }
  }

  @Test
  void aResultListOfTheWrongLengthIs500ForAllWithAClearLogLine() throws Exception {
    List<String> logs = new CopyOnWriteArrayList<>();
    try (Scorer s = scorer(SCRIPT, logs, 8, 1000)) {
      s.start().toCompletableFuture().get(20, TimeUnit.SECONDS);
      List<CompletableFuture<ScoreResult>> batch = behindAGate(s, logs, 20_000, "short", "x");
      for (CompletableFuture<ScoreResult> f : batch) {
        ScoreResult r = f.get(30, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.fromRuntime()).as("Sluice's answer, passed on as 500").isTrue();
        assertThat(r.bodyText()).contains("run_batch() returned 1 results for a batch of 2 requests");
      }
      PythonScorerTest.waitFor(() -> logs.stream().anyMatch(l -> l.contains("run_batch() returned 1 results")),
          "the log line");
      assertThat(send(s, "after", 20_000, 20_000).get(30, TimeUnit.SECONDS).bodyText()).isEqualTo("\"AFTER\"");
    }
  }

  @Test
  void aRequestWhoseDeadlinePassesInTheQueueIsAnsweredAloneAndTheRestRun() throws Exception {
    List<String> logs = new CopyOnWriteArrayList<>();
    try (Scorer s = scorer(SCRIPT, logs, 8, 1000)) {
      s.start().toCompletableFuture().get(20, TimeUnit.SECONDS);
      CompletableFuture<ScoreResult> nap = send(s, "nap", 20_000, 20_000); // a batch of one that runs 1 s
      PythonScorerTest.waitFor(() -> batchLines(logs).size() == 1, "the nap running");
      CompletableFuture<ScoreResult> impatient = send(s, "impatient", 20_000, 200); // max_queue_wait_ms 200
      CompletableFuture<ScoreResult> patient = send(s, "patient", 20_000, 20_000);
      assertThat(nap.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
      ScoreResult refused = impatient.get(30, TimeUnit.SECONDS);
      assertThat(refused.status()).isEqualTo(429);
      assertThat(refused.fromRuntime()).isTrue();
      assertThat(refused.bodyText()).contains("max_queue_wait_ms=200");
      assertThat(patient.get(30, TimeUnit.SECONDS).bodyText()).isEqualTo("\"PATIENT\"");
      PythonScorerTest.waitFor(() -> batchLines(logs).size() >= 2, "the second batch");
      assertThat(batchLines(logs).get(1)).as("the refused one never reached Python").contains("batch of 1: patient");
    }
  }

  @Test
  void aBatchOverItsRunBudgetIs408ForEachOfItsRequests() throws Exception {
    List<String> logs = new CopyOnWriteArrayList<>();
    try (Scorer s = scorer(SCRIPT, logs, 8, 1000)) {
      s.start().toCompletableFuture().get(20, TimeUnit.SECONDS);
      List<CompletableFuture<ScoreResult>> batch = behindAGate(s, logs, 300, "nap", "y");
      for (CompletableFuture<ScoreResult> f : batch) {
        ScoreResult r = f.get(30, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(408);
        assertThat(r.bodyText()).contains("request_timeout_ms=300");
      }
    }
  }

  @Test
  void batchingWithoutRunBatchFailsToStartNamingRunBatch() throws Exception {
    List<String> logs = new CopyOnWriteArrayList<>();
    Scorer s = scorer("def init():\n    pass\ndef run(d):\n    return d\n", logs, 4, 5);
    assertThatThrownBy(() -> s.start().toCompletableFuture().get(30, TimeUnit.SECONDS))
        .hasMessageContaining("run_batch(raw_data_list)").hasMessageContaining("max_batch_size is 4");
    s.close();
  }
}
