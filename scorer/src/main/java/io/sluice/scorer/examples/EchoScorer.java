package io.sluice.scorer.examples;

import io.sluice.scorer.java.ScoringScript;
import java.util.Map;

/** Built-in: answers with the request body unchanged. The benchmark's scorer; runs on the caller's thread. */
public final class EchoScorer implements ScoringScript {
  @Override
  public byte[] run(byte[] body, Map<String, String> headers) {
    return body;
  }

  @Override
  public boolean nonBlocking() {
    return true;
  }
}
