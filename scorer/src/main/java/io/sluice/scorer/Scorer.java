package io.sluice.scorer;

import java.util.concurrent.CompletionStage;

/**
 * One running copy of a deployment's scoring code: Azure's score.py contract, whatever the runtime.
 * {@link #start()} runs the script's init(); {@link #score} runs run() once. Implementations never
 * block the caller: work happens on the runtime's own threads or processes.
 */
public interface Scorer extends AutoCloseable {

  /** Loads the code and runs init(); completes when the scorer can take requests, fails with the reason. */
  CompletionStage<Void> start();

  /** Scores one request; completes with the script's answer (status 200) or its error (status >= 400). */
  CompletionStage<ScoreResult> score(ScoreRequest request);

  /** True while the scorer can serve: at least one worker is ready (others may be restarting). */
  boolean healthy();

  /** False once the scorer gave up (its workers keep failing to start again): the instance has failed. */
  default boolean alive() {
    return healthy();
  }

  /** Called (on any thread) whenever {@link #healthy()} or {@link #alive()} may have changed. */
  default void onHealthChange(Runnable listener) {
  }

  /** Stops the workers at once; requests still in flight fail. */
  @Override
  void close();
}
