package io.sluice.scorer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * An init() that raises: the start fails only once the traceback is in the log, so an instance reported Failed
 * shows why in get-logs. Destroying the process closed its stderr at once and lost what the log thread had not read
 * yet (under load, 3 to 7 starts in 30 lost every line). A race, so it runs several times.
 */
class PythonInitFailureTest {
  @TempDir
  Path dir;

  @RepeatedTest(10)
  void theTracebackIsInTheLogBeforeTheStartFails() throws Exception {
    Path code = Files.createDirectories(dir.resolve("code"));
    Files.writeString(code.resolve("score.py"), "def init():\n    raise RuntimeError('cannot load the weights')\n"
        + "def run(d):\n    return d\n");
    List<String> logs = new CopyOnWriteArrayList<>();
    try (Scorer s = Scorers.create(ScorerSpec.builder(code, "score.py").python(PythonScorerTest.PYTHON)
        .log(logs::add).build())) {
      assertThatThrownBy(() -> s.start().toCompletableFuture().get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).hasMessageContaining("init() failed: RuntimeError");
      assertThat(String.join("\n", logs)).contains("Invoking user's init function").contains("Traceback")
          .contains("RuntimeError: cannot load the weights");
    }
  }
}
