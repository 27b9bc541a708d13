package io.sluice.scorer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real Python processes running real score.py files, Azure's contract. */
class PythonScorerTest {
  static final String PYTHON = System.getProperty("sluice.python", "/usr/bin/python3");

  @TempDir
  Path dir;

  private Scorer scorer(String script, List<String> logs, int workers) throws Exception {
    return scorer(script, logs, workers, Probe.DEFAULT, Probe.DEFAULT);
  }

  private Scorer scorer(String script, List<String> logs, int workers, Probe liveness, Probe readiness)
      throws Exception {
    return scorer(dir, script, logs, workers, liveness, readiness);
  }

  /** A scorer of {@code script} as score.py in {@code dir}/code, its model folder beside it. */
  static Scorer scorer(Path dir, String script, List<String> logs, int workers, Probe liveness, Probe readiness)
      throws Exception {
    Path code = Files.createDirectories(dir.resolve("code"));
    Path model = Files.createDirectories(dir.resolve("models/model"));
    Files.writeString(model.resolve("factor.txt"), "3");
    Files.writeString(code.resolve("score.py"), script);
    return Scorers.create(ScorerSpec.builder(code, "score.py").model(dir.resolve("models")).python(PYTHON)
        .maxConcurrent(workers).environment(Map.of("GREETING", "hi")).log(logs::add).liveness(liveness)
        .readiness(readiness).build());
  }

  private static ScoreResult call(Scorer s, String body, long runTimeout, long queueTimeout) throws Exception {
    return s.score(new ScoreRequest("req-" + body, body.getBytes(StandardCharsets.UTF_8), Map.of(), runTimeout,
        queueTimeout)).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static final String MISBEHAVING = """
      import os, time
      def init():
          print("init printed")
      def run(raw_data):
          if raw_data == "sleep":
              time.sleep(30)
          if raw_data == "exit":
              os._exit(7)
          if raw_data.startswith("nap"):
              time.sleep(float(raw_data[3:]))
          print("printed in run")
          return raw_data
      """;

  @Test
  void aRunOverItsBudgetIs408AndTheWorkerIsReplacedNotWedged() throws Exception {
    List<String> logs = new CopyOnWriteArrayList<>();
    try (Scorer s = scorer(MISBEHAVING, logs, 1)) {
      s.start().toCompletableFuture().get(20, TimeUnit.SECONDS);
      long t0 = System.nanoTime();
      ScoreResult slow = call(s, "sleep", 500, 0);
      assertThat(slow.status()).isEqualTo(408);
      assertThat(slow.fromRuntime()).isTrue();
      assertThat((System.nanoTime() - t0) / 1e9).isLessThan(20); // not the 30 s the script wanted
      assertThat(call(s, "fine", 5000, 0).bodyText()).isEqualTo("\"fine\"");
      waitFor(() -> logs.stream().anyMatch(l -> l.contains("overran request_timeout_ms")), "the log line");
    }
  }

  static final String SLOW_INIT = """
      import time
      def init():
          time.sleep(2)
      def run(raw_data):
          if raw_data.startswith("nap"):
              time.sleep(float(raw_data[3:]))
          return raw_data
      """;

  /** With init() taking 2 s, a request over its 1 s budget costs that request only: a started spare takes over. */
  @Test
  void aTimeoutCostsOneRequestWhenASpareIsKept() throws Exception {
    List<String> logs = new CopyOnWriteArrayList<>();
    Path code = Files.createDirectories(dir.resolve("code"));
    Files.writeString(code.resolve("score.py"), SLOW_INIT);
    try (Scorer s = Scorers.create(ScorerSpec.builder(code, "score.py").python(PYTHON).log(logs::add)
        .spareWorkers(1).build())) {
      s.start().toCompletableFuture().get(30, TimeUnit.SECONDS);
      waitFor(() -> logs.stream().anyMatch(l -> l.contains("spare worker ready")), "the spare started");
      assertThat(call(s, "nap3", 1000, 500).status()).isEqualTo(408);
      for (int i = 0; i < 20; i++) {
        ScoreResult r = call(s, "n" + i, 1000, 500);
        assertThat(r.status()).as("request %d after the timeout: %s", i, r.bodyText()).isEqualTo(200);
      }
      assertThat(s.healthy()).isTrue();
      waitFor(() -> logs.stream().anyMatch(l -> l.contains("replaced by a started spare")), "the log line");
    }
  }

  /**
   * Without a spare, the requests that arrive while the only worker restarts (init() takes 2 s) wait for it: they
   * are served if their request_timeout_ms allows, 408 if not, never 429 for a restart.
   */
  @Test
  void withoutASpareRequestsWaitForTheRestartUpToTheirRequestTimeout() throws Exception {
    List<String> logs = new CopyOnWriteArrayList<>();
    Path code = Files.createDirectories(dir.resolve("code"));
    Files.writeString(code.resolve("score.py"), SLOW_INIT);
    try (Scorer s = Scorers.create(ScorerSpec.builder(code, "score.py").python(PYTHON).log(logs::add).build())) {
      s.start().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertThat(call(s, "nap3", 1000, 100).status()).isEqualTo(408);
      List<java.util.concurrent.CompletableFuture<ScoreResult>> patient = new java.util.ArrayList<>();
      for (int i = 0; i < 5; i++) {
        patient.add(s.score(new ScoreRequest("p" + i, ("p" + i).getBytes(StandardCharsets.UTF_8), Map.of(), 10_000,
            100)).toCompletableFuture());
      }
      var hasty = s.score(new ScoreRequest("h", "h".getBytes(StandardCharsets.UTF_8), Map.of(), 1000, 100));
      for (int i = 0; i < 5; i++) {
        ScoreResult r = patient.get(i).get(30, TimeUnit.SECONDS);
        assertThat(r.status()).as("request %d, queued during the restart: %s", i, r.bodyText()).isEqualTo(200);
      }
      ScoreResult h = hasty.toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertThat(h.status()).as(h.bodyText()).isEqualTo(408);
      assertThat(h.bodyText()).contains("restarting worker").contains("request_timeout_ms=1000");
      waitFor(() -> logs.stream().anyMatch(l -> l.contains("restarting")), "the log line");
    }
  }

  /** resources.limits.memory: a worker that grows past it is killed, its request gets 500, the log says why. */
  @Test
  void aWorkerOverItsMemoryLimitIsKilledAndReplaced() throws Exception {
    List<String> logs = new CopyOnWriteArrayList<>();
    Path code = Files.createDirectories(dir.resolve("mem"));
    Files.writeString(code.resolve("score.py"), """
        import time
        held = []
        def init():
            pass
        def run(raw_data):
            if raw_data == "grow":
                for _ in range(40):
                    held.append(bytearray(16 << 20))  # 16 MiB at a time, touched
                    time.sleep(0.05)
            return raw_data
        """);
    try (Scorer s = Scorers.create(ScorerSpec.builder(code, "score.py").python(PYTHON).log(logs::add)
        .memoryLimitBytes(150L << 20).build())) {
      s.start().toCompletableFuture().get(30, TimeUnit.SECONDS);
      ScoreResult grown = call(s, "grow", 30_000, 0);
      assertThat(grown.status()).isEqualTo(500);
      assertThat(grown.bodyText()).contains("resources.limits.memory (150 MiB)");
      // (the worker's note follows its request's answer)
      waitFor(() -> logs.stream().anyMatch(l -> l.contains("memory limit: resident memory") && l.contains("150 MiB")),
          "the memory limit in the log");
      assertThat(call(s, "small", 30_000, 0).bodyText()).isEqualTo("\"small\"");
    }
  }

  static void waitFor(java.util.function.BooleanSupplier cond, String what) {
    await(what).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(cond::getAsBoolean);
  }

  @Test
  void aWorkerThatExitsIsRestartedAndPrintsCarryTheRequestId() throws Exception {
    List<String> logs = new CopyOnWriteArrayList<>();
    try (Scorer s = scorer(MISBEHAVING, logs, 1)) {
      s.start().toCompletableFuture().get(20, TimeUnit.SECONDS);
      ScoreResult died = call(s, "exit", 5000, 0);
      assertThat(died.status()).isEqualTo(500);
      assertThat(died.fromRuntime()).isTrue();
      assertThat(call(s, "again", 5000, 0).bodyText()).isEqualTo("\"again\"");
      assertThat(s.healthy()).isTrue();
      waitFor(() -> logs.stream().anyMatch(l -> l.contains("exited (code 7)") && l.contains("restarting")), "the log line");
      // prints travel on the process's own output, read apart from the answer: they may come just after it
      waitFor(() -> logs.contains("req-again,printed in run"), "the print of run() in the log");
      waitFor(() -> logs.stream().anyMatch(l -> l.equals("00000000-0000-0000-0000-000000000000,init printed")), "the log line");
    }
  }

  @Test
  void waitingLongerThanTheQueueLimitIs429() throws Exception {
    try (Scorer s = scorer(MISBEHAVING, new CopyOnWriteArrayList<>(), 1)) {
      s.start().toCompletableFuture().get(20, TimeUnit.SECONDS);
      var first = s.score(new ScoreRequest("a", "nap1.0".getBytes(), Map.of(), 5000, 100));
      ScoreResult second = call(s, "quick", 5000, 100);
      assertThat(second.status()).isEqualTo(429);
      assertThat(second.bodyText()).contains("max_queue_wait_ms=100");
      assertThat(first.toCompletableFuture().get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    }
  }

  @Test
  void closingGivesBackQueuedRequestsAsNeverRanAndRefusesNewOnes() throws Exception {
    List<String> logs = new CopyOnWriteArrayList<>();
    Scorer s = scorer("import time\ndef init():\n    pass\ndef run(d):\n    print('running ' + d, flush=True)\n"
        + "    time.sleep(2)\n    return d\n", logs, 1);
    s.start().toCompletableFuture().get(20, TimeUnit.SECONDS);
    var running = s.score(new ScoreRequest("a", "a".getBytes(), Map.of(), 5000, 5000)).toCompletableFuture();
    waitFor(() -> logs.stream().anyMatch(l -> l.contains("running a")), "the first request running");
    var queued = s.score(new ScoreRequest("b", "b".getBytes(), Map.of(), 5000, 5000)).toCompletableFuture();
    s.close();
    assertThatThrownBy(() -> queued.get(10, TimeUnit.SECONDS)).satisfies(e -> assertThat(NeverRan.is(e.getCause()))
        .as("the queued request never ran: %s", e).isTrue());
    // the running one did run: whatever it gets (the worker's death as an answer), it is not given back unrun
    assertThat(running.handle((r, e) -> e == null || !NeverRan.is(e)).get(10, TimeUnit.SECONDS)).isTrue();
    assertThatThrownBy(() -> s.score(new ScoreRequest("c", "c".getBytes(), Map.of(), 5000, 5000))
        .toCompletableFuture().get(10, TimeUnit.SECONDS)).satisfies(e -> assertThat(NeverRan.is(e.getCause())).isTrue());
  }

  /**
   * resources.limits.cpu: where the node can make a cgroup (root with a cpu controller, as on the CI machines), the
   * workers run in one with the quota and a busy worker is throttled; elsewhere the log says it is not enforced.
   */
  @Test
  void aCpuLimitPutsTheWorkersUnderACgroupQuota() throws Exception {
    List<String> logs = new CopyOnWriteArrayList<>();
    Path code = Files.createDirectories(dir.resolve("busy"));
    Files.writeString(code.resolve("score.py"), "import os, time\ndef init():\n    pass\ndef run(d):\n"
        + "    end = time.time() + 0.5\n    while time.time() < end:\n        pass\n    return os.getpid()\n");
    Path cgroup;
    String pid;
    try (Scorer s = Scorers.create(ScorerSpec.builder(code, "score.py").python(PYTHON).maxConcurrent(2)
        .log(logs::add).cpuLimitMillis(200).build())) {
      s.start().toCompletableFuture().get(20, TimeUnit.SECONDS);
      String line = logs.stream().filter(l -> l.contains("cpu limit:")).findFirst().orElseThrow();
      assertThat(line).contains("resources.limits.cpu 200m");
      assumeTrue(!line.contains("is not enforced"), "this machine cannot enforce a cpu limit: " + line);
      assertThat(line).containsPattern("quota of 20000 us per 100000 us");
      cgroup = Path.of(line.substring(line.lastIndexOf('(') + 1, line.lastIndexOf(')')));
      pid = call(s, "x", 10_000, 0).bodyText();
      assertThat(Files.readString(cgroup.resolve("cgroup.procs"))).contains(pid);
      // both workers busy at once on 0.2 of a core: the kernel must have throttled them
      var a = s.score(new ScoreRequest("a", "a".getBytes(), Map.of(), 10_000, 0));
      var b = s.score(new ScoreRequest("b", "b".getBytes(), Map.of(), 10_000, 0));
      a.toCompletableFuture().get(30, TimeUnit.SECONDS);
      b.toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertThat(Files.readString(cgroup.resolve("cpu.stat"))).containsPattern("nr_throttled [1-9]");
    }
    assertThat(cgroup).as("the instance's cgroup is removed with it").doesNotExist();
  }

  @Test
  void anInitThatNeverFinishesFailsWithinTheReadinessBudget() throws Exception {
    List<String> logs = new CopyOnWriteArrayList<>();
    Scorer s = scorer("import time\ndef init():\n    time.sleep(600)\ndef run(d):\n    return d\n", logs, 1,
        Probe.DEFAULT, new Probe(1, 1, 1, 1, 1));
    assertThatThrownBy(() -> s.start().toCompletableFuture().get(30, TimeUnit.SECONDS))
        .hasMessageContaining("init() did not finish within 2 s");
    s.close();
  }

  @Test
  void livenessPingsKeepAnIdleWorkerAndAHungOneIsReplaced() throws Exception {
    List<String> logs = new CopyOnWriteArrayList<>();
    String hangsOnSignal = """
        import signal, time
        def init():
            # SIGUSR1 freezes the interpreter's main loop, as a deadlock would
            signal.signal(signal.SIGUSR1, lambda *a: time.sleep(600))
        def run(raw_data):
            return raw_data
        """;
    try (Scorer s = scorer(hangsOnSignal, logs, 1, new Probe(1, 1, 1, 1, 1), Probe.DEFAULT)) {
      s.start().toCompletableFuture().get(20, TimeUnit.SECONDS);
      // the worker answers its pings (one a second) and stays healthy through two of them
      await("healthy through two pings").atMost(Duration.ofSeconds(20)).during(Duration.ofMillis(2500))
          .until(s::healthy);
      assertThat(call(s, "ok", 5000, 0).status()).isEqualTo(200);
      long pid = ProcessHandle.current().descendants().filter(p -> p.info().commandLine().orElse("")
          .contains("sluice_runner.py")).findFirst().orElseThrow().pid();
      new ProcessBuilder("kill", "-USR1", String.valueOf(pid)).start().waitFor();
      waitFor(() -> logs.stream().anyMatch(l -> l.contains("liveness probe failed")), "the liveness probe to fail");
      assertThat(call(s, "after", 10_000, 0).bodyText()).isEqualTo("\"after\"");
    }
  }

  private static ScoreResult call(Scorer s, String body) throws Exception {
    return s.score(new ScoreRequest("req-1", body.getBytes(StandardCharsets.UTF_8), Map.of()))
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Test
  void initRunAndModelDirFollowAzuresContract() throws Exception {
    List<String> logs = new CopyOnWriteArrayList<>();
    try (Scorer s = scorer("""
        import os, json, logging
        def init():
            global factor
            factor = int(open(os.path.join(os.getenv("AZUREML_MODEL_DIR"), "model", "factor.txt")).read())
            logging.info("init done %s", os.getenv("GREETING"))
        def run(raw_data):
            print("printed line")
            return [x * factor for x in json.loads(raw_data)["data"]]
        """, logs, 2)) {
      s.start().toCompletableFuture().get(20, TimeUnit.SECONDS);
      ScoreResult r = call(s, "{\"data\": [1, 2.5]}");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.bodyText()).isEqualTo("[3, 7.5]");
      assertThat(s.healthy()).isTrue();
    }
    // the log lines come on the process's log stream, which may be read after the answers arrived
    waitFor(() -> logs.stream().anyMatch(l -> l.contains("init done hi")), "the log line of init()");
    waitFor(() -> logs.stream().anyMatch(l -> l.contains("printed line")), "the print of run() in the log");
  }

  @Test
  void runRaisingIsAModelErrorAndTheTracebackIsLogged() throws Exception {
    List<String> logs = new CopyOnWriteArrayList<>();
    try (Scorer s = scorer("""
        def init():
            pass
        def run(raw_data):
            raise ValueError("bad row")
        """, logs, 1)) {
      s.start().toCompletableFuture().get(20, TimeUnit.SECONDS);
      ScoreResult r = call(s, "{}");
      assertThat(r.status()).isEqualTo(500);
      assertThat(r.bodyText()).contains("Check the logs");
      // the worker survives a failing run()
      assertThat(call(s, "{}").status()).isEqualTo(500);
    }
    waitFor(() -> logs.stream().anyMatch(l -> l.contains("ValueError: bad row")), "the traceback in the log");
  }

  @Test
  void initRaisingFailsStartWithTheReason() throws Exception {
    List<String> logs = new CopyOnWriteArrayList<>();
    Scorer s = scorer("""
        def init():
            raise RuntimeError("no model here")
        def run(raw_data):
            return 1
        """, logs, 1);
    assertThatThrownBy(() -> s.start().toCompletableFuture().get(20, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).hasMessageContaining("no model here");
    s.close();
    waitFor(() -> logs.stream().anyMatch(l -> l.contains("Traceback")), "the traceback in the log");
  }

  @Test
  void nonUtf8BodyIs400() throws Exception {
    try (Scorer s = scorer("def init():\n    pass\ndef run(d):\n    return d\n", new CopyOnWriteArrayList<>(), 1)) {
      s.start().toCompletableFuture().get(20, TimeUnit.SECONDS);
      ScoreResult r = s.score(new ScoreRequest("x", new byte[] {(byte) 0xff, (byte) 0xfe}, Map.of()))
          .toCompletableFuture().get(20, TimeUnit.SECONDS);
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.bodyText()).contains("UTF-8");
    }
  }
}
