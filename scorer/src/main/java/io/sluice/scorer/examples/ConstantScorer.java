package io.sluice.scorer.examples;

import io.sluice.scorer.java.ScoringScript;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** Built-in: answers every request with the JSON in environment variable SLUICE_CONSTANT (default {@code [0.5, 0.5]}). */
public final class ConstantScorer implements ScoringScript {
  private byte[] answer;

  @Override
  public void init(Path modelDir, Map<String, String> environment) {
    answer = environment.getOrDefault("SLUICE_CONSTANT", "[0.5, 0.5]").getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public byte[] run(byte[] body, Map<String, String> headers) {
    return answer;
  }

  @Override
  public boolean nonBlocking() {
    return true;
  }
}
