package io.sluice.scorer.java;

import java.nio.file.Path;
import java.util.Map;

/**
 * The Java form of Azure's score.py: a class named by {@code code_configuration.scoring_script}, found in the
 * jars or class folders of {@code code_configuration.code} (or built in), with a public no-argument constructor.
 */
public interface ScoringScript {

  /** Azure's init(): called once per worker before any request. {@code modelDir} is AZUREML_MODEL_DIR (may be null). */
  default void init(Path modelDir, Map<String, String> environment) throws Exception {
  }

  /** Azure's run(raw_data): returns the response body (JSON bytes). An exception is a model error (424 to clients). */
  byte[] run(byte[] body, Map<String, String> headers) throws Exception;

  /** True when run() never blocks and is cheap: the caller's thread runs it, with no hand-off to a worker thread. */
  default boolean nonBlocking() {
    return false;
  }
}
