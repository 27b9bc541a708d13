package io.sluice.scorer;

import io.sluice.scorer.java.JavaScorer;
import io.sluice.scorer.python.PythonScorer;

/** Picks the runtime for a scoring script: a {@code .py} file runs in Python, anything else names a Java class. */
public final class Scorers {
  private Scorers() {
  }

  public static boolean isPython(String scoringScript) {
    return scoringScript != null && scoringScript.endsWith(".py");
  }

  public static Scorer create(ScorerSpec spec) {
    return isPython(spec.scoringScript()) ? new PythonScorer(spec) : new JavaScorer(spec);
  }
}
