package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Options every client command takes (az's global ones), and the helpers they share. */
public final class Common {
  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(names = "--query", description = "JMESPath query applied to the output")
  String query;

  @Option(names = {"-o", "--output"}, description = "json (default), jsonc, tsv, table, yaml, none")
  String output = "json";

  @Option(names = "--debug", description = "print the Java stack trace with an error")
  boolean debug;

  @Option(names = "--url", description = "a node's base URL (default: SLUICE_URL, or the local node in SLUICE_HOME)")
  String url;

  private ApiClient api;

  SluiceCli root() {
    return (SluiceCli) spec.root().userObject();
  }

  ApiClient api() {
    if (api == null) {
      api = ApiClient.from(root().env, url);
    }
    return api;
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  void print(JsonNode value) {
    if (query != null) {
      Output.compile(query); // a bad query fails before anything else is printed
    }
    String s = Output.render(value, query, output);
    if (!s.isEmpty()) {
      out().println(s);
    }
    out().flush();
  }

  /** Validates --query before any change is made, so a typo never leaves a half-done command. */
  void checkQuery() {
    if (query != null) {
      Output.compile(query);
    }
  }

  /** az's progress: a dot a second on stderr until the operation settles. */
  JsonNode waitFor(String what, Supplier<JsonNode> poll, Predicate<JsonNode> done, int timeoutSeconds) {
    long deadline = System.currentTimeMillis() + timeoutSeconds * 1000L;
    err().print(what);
    err().flush();
    try {
      while (true) {
        JsonNode n = poll.get();
        if (done.test(n)) {
          err().println();
          err().flush();
          return n;
        }
        if (System.currentTimeMillis() > deadline) {
          err().println();
          throw new CliException(what.trim() + ": still not done after " + timeoutSeconds + " s; check with show");
        }
        err().print(".");
        err().flush();
        Thread.sleep(1000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
  }

  /** az's --yes: without it, ask on the terminal; with no terminal, refuse. */
  void confirm(boolean yes, String question) {
    if (yes) {
      return;
    }
    if (System.console() == null) {
      throw new CliException(question + " Pass --yes to confirm when no terminal is attached.");
    }
    err().print(question + " (y/n): ");
    err().flush();
    try {
      String a = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      if (a == null || !a.trim().toLowerCase().startsWith("y")) {
        throw new CliException("cancelled");
      }
    } catch (java.io.IOException e) {
      throw new CliException("cancelled");
    }
  }
}
