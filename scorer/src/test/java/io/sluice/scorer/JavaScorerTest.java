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
    try (Scorer s = Scorers.create(new ScorerSpec(code, "demo.Upper", dir.resolve("models"), "unused", 2, Map.of(),
        logs::add))) {
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
    try (Scorer echo = Scorers.create(new ScorerSpec(code, "io.sluice.scorer.examples.EchoScorer", null, "", 1,
        Map.of(), l -> { }))) {
      echo.start().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(call(echo, "{\"x\": 1}").bodyText()).isEqualTo("{\"x\": 1}");
    }
    try (Scorer constant = Scorers.create(new ScorerSpec(code, "io.sluice.scorer.examples.ConstantScorer", null, "",
        1, Map.of("SLUICE_CONSTANT", "[1]"), l -> { }))) {
      constant.start().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(call(constant, "anything").bodyText()).isEqualTo("[1]");
    }
    Scorer missing = Scorers.create(new ScorerSpec(code, "no.such.Scorer", null, "", 1, Map.of(), l -> { }));
    assertThatThrownBy(() -> missing.start().toCompletableFuture().get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).hasMessageContaining("code_configuration.scoring_script");
    missing.close();
  }
}
