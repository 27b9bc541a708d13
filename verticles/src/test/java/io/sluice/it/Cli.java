package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.cli.SluiceCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;

/** Runs the real CLI in-process against a node, with SLUICE_HOME pointing at the node's home. */
public final class Cli {
  static final ObjectMapper JSON = new ObjectMapper();
  private final Map<String, String> env;

  public Cli(Path home) {
    this.env = Map.of("SLUICE_HOME", home.toString());
  }

  /** Talks to the node at {@code url} (the admin token still comes from {@code home}). */
  public Cli(Path home, String url) {
    this.env = Map.of("SLUICE_HOME", home.toString(), "SLUICE_URL", url);
  }

  public record Result(int code, String out, String err) {
    public JsonNode json() {
      try {
        return JSON.readTree(out);
      } catch (Exception e) {
        throw new AssertionError("not JSON: " + out + "\nstderr: " + err, e);
      }
    }
  }

  public Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = SluiceCli.run(args, env, new PrintWriter(out), new PrintWriter(err));
    return new Result(code, out.toString().trim(), err.toString().trim());
  }

  /** Runs a command that must succeed and returns its standard output. */
  public String ok(String... args) {
    Result r = run(args);
    assertThat(r.code()).as("sluice %s\nstdout: %s\nstderr: %s", String.join(" ", args), r.out(), r.err())
        .isZero();
    return r.out();
  }

  public JsonNode okJson(String... args) {
    Result r = run(args);
    assertThat(r.code()).as("sluice %s\nstderr: %s", String.join(" ", args), r.err()).isZero();
    return r.json();
  }

  /** Runs a command that must fail with exit code 1 and returns its error text. */
  public String fails(String... args) {
    Result r = run(args);
    assertThat(r.code()).as("sluice %s should fail\nstdout: %s", String.join(" ", args), r.out()).isEqualTo(1);
    return r.err();
  }
}
