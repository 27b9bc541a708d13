package io.sluice.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The two sample trees the walkthrough runs on: the project's own examples and Azure's sample files. */
public final class Samples {
  public static final String PYTHON = System.getProperty("sluice.python", "/usr/bin/python3");

  private Samples() {
  }

  public static Path repo() {
    return Path.of(System.getProperty("sluice.repo", "..")).toAbsolutePath().normalize();
  }

  /** Azure's answers for its sample pickles (shared/azureml-samples/README.md). */
  public static final String AZURE_BLUE = "[11055.977245525679, 4503.079536107787]";
  public static final String GREEN = "[0.5, 0.5]";

  /** A copy of examples/cli with the models trained by examples/train_models.py. */
  public static Path examples(Path into) throws Exception {
    copy(repo().resolve("examples"), into);
    Process p = new ProcessBuilder(PYTHON, into.resolve("train_models.py").toString()).inheritIO().start();
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("examples/train_models.py failed");
    }
    return into.resolve("cli");
  }

  /** A copy of ../shared/azureml-samples/cli with the project's score.py files added; skips when absent. */
  public static Path azure(Path into) throws IOException {
    Path shared = repo().resolveSibling("shared").resolve("azureml-samples").resolve("cli");
    assumeTrue(Files.isDirectory(shared), "shared/azureml-samples is not beside the checkout");
    copy(shared, into.resolve("cli"));
    for (String m : List.of("model-1", "model-2")) {
      copy(repo().resolve("examples/cli/endpoints/online").resolve(m).resolve("onlinescoring"),
          into.resolve("cli/endpoints/online").resolve(m).resolve("onlinescoring"));
    }
    return into.resolve("cli");
  }

  static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.naturalOrder())::iterator) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else if (!p.toString().endsWith(".pkl") || !p.startsWith(repo().resolve("examples"))) {
          Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
