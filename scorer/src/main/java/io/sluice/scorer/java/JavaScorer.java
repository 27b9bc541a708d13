package io.sluice.scorer.java;

import io.sluice.scorer.NeverRan;
import io.sluice.scorer.ScoreRequest;
import io.sluice.scorer.ScoreResult;
import io.sluice.scorer.Scorer;
import io.sluice.scorer.ScorerSpec;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Stream;

/**
 * Runs a {@link ScoringScript} class, loaded from the deployment's code folder, on {@code workers} threads
 * ({@link JavaWorkers}: queue limit, deadline). Only Sluice's own built-in scripts that say they never block run on
 * the caller's thread; a script from a code folder never does, whatever it says, so user code cannot stall a
 * router's event loop.
 */
public final class JavaScorer implements Scorer {
  private static final String MODEL_ERROR =
      "{\"message\": \"An unexpected error occurred in scoring script. Check the logs for more info.\"}";

  private final ScorerSpec spec;
  private ScoringScript script;
  private JavaWorkers workers;
  private URLClassLoader loader;
  private boolean inline;
  private volatile boolean running;
  private volatile Runnable healthListener = () -> { };

  public JavaScorer(ScorerSpec spec) {
    this.spec = spec;
  }

  @Override
  public CompletionStage<Void> start() {
    return CompletableFuture.runAsync(this::load, command -> {
      Thread t = new Thread(command, "java-scorer-init");
      t.setDaemon(true);
      t.start();
    }).thenRun(() -> {
      if (!inline) { // an inline script runs on the caller's thread: it needs no worker (a node hosts thousands)
        workers = new JavaWorkers(spec, this::run, () -> {
          running = false;
          healthListener.run();
        });
        workers.start();
      }
      running = true;
    });
  }

  private void load() {
    try {
      loader = new URLClassLoader(classpath(spec.codeDir()), ScoringScript.class.getClassLoader());
      Class<?> cls = Class.forName(spec.scoringScript(), true, loader);
      if (!ScoringScript.class.isAssignableFrom(cls)) {
        throw new IllegalArgumentException("code_configuration.scoring_script: class " + spec.scoringScript()
            + " does not implement " + ScoringScript.class.getName());
      }
      script = (ScoringScript) cls.getDeclaredConstructor().newInstance();
      inline = script.nonBlocking() && cls.getClassLoader() == ScoringScript.class.getClassLoader();
      spec.logSink().line("sluice: Java scoring script " + cls.getName() + " loaded; invoking init()");
      script.init(spec.modelDir(), spec.environment());
      spec.logSink().line("sluice: init() completed");
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException("code_configuration.scoring_script: class " + spec.scoringScript()
          + " not found in the code folder or the built-in scorers", e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      spec.logSink().line("sluice: init() failed: " + e);
      throw new IllegalStateException("init() failed: " + e, e);
    }
  }

  @Override
  public CompletionStage<ScoreResult> score(ScoreRequest request) {
    if (!running) {
      return CompletableFuture.failedFuture(new NeverRan("scorer is not running"));
    }
    if (inline) {
      return CompletableFuture.completedFuture(run(request));
    }
    return workers.submit(request);
  }

  private ScoreResult run(ScoreRequest request) {
    long t0 = System.nanoTime();
    try {
      byte[] out = script.run(request.body(), request.headers());
      return new ScoreResult(200, out, "application/json", (System.nanoTime() - t0) / 1e6);
    } catch (Exception e) {
      spec.logSink().line(request.requestId() + " run() failed: " + e);
      return ScoreResult.json(500, MODEL_ERROR, (System.nanoTime() - t0) / 1e6);
    }
  }

  @Override
  public boolean healthy() {
    return running;
  }

  @Override
  public void onHealthChange(Runnable listener) {
    healthListener = listener;
  }

  @Override
  public void close() {
    running = false;
    if (workers != null) {
      workers.close();
    }
    if (loader != null) {
      try {
        loader.close();
      } catch (IOException ignored) {
        // nothing left to release
      }
    }
  }

  /** The code folder itself (class files) and every jar in it. */
  private static URL[] classpath(Path codeDir) {
    List<URL> urls = new ArrayList<>();
    if (codeDir == null || !Files.isDirectory(codeDir)) {
      return new URL[0];
    }
    try (Stream<Path> files = Files.walk(codeDir, 3)) {
      urls.add(codeDir.toUri().toURL());
      for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".jar"))::iterator) {
        urls.add(p.toUri().toURL());
      }
    } catch (MalformedURLException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the code folder " + codeDir, e);
    }
    return urls.toArray(URL[]::new);
  }
}
