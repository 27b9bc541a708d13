package io.sluice.scorer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
    Path code = Files.createDirectories(dir.resolve("code"));
    Path model = Files.createDirectories(dir.resolve("models/model"));
    Files.writeString(model.resolve("factor.txt"), "3");
    Files.writeString(code.resolve("score.py"), script);
    return Scorers.create(new ScorerSpec(code, "score.py", dir.resolve("models"), PYTHON, workers,
        Map.of("GREETING", "hi"), logs::add));
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
    assertThat(logs).anyMatch(l -> l.contains("init done hi"));
    assertThat(logs).anyMatch(l -> l.contains("printed line"));
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
    assertThat(logs).anyMatch(l -> l.contains("ValueError: bad row"));
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
    assertThat(logs).anyMatch(l -> l.contains("Traceback"));
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
