package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command and subcommand answers -h and --help with its usage and exit code 0, as az ml does. */
class HelpTest {
  private static void collect(CommandLine cl, List<List<String>> paths, List<String> path) {
    paths.add(path);
    cl.getSubcommands().forEach((name, sub) -> {
      if (!sub.getCommandSpec().name().equals(name)) {
        return; // an alias
      }
      List<String> deeper = new ArrayList<>(path);
      deeper.add(name);
      collect(sub, paths, deeper);
    });
  }

  private static String[] run(List<String> args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = SluiceCli.run(args.toArray(String[]::new), Map.of("SLUICE_HOME", "/nonexistent"), new PrintWriter(out),
        new PrintWriter(err));
    return new String[] {String.valueOf(code), out.toString(), err.toString()};
  }

  @Test
  void everyCommandAnswersHelp() {
    CommandLine root = new CommandLine(new SluiceCli(Map.of()));
    List<List<String>> paths = new ArrayList<>();
    collect(root, paths, List.of());
    assertThat(paths).hasSizeGreaterThan(30);
    for (List<String> path : paths) {
      for (String flag : List.of("--help", "-h")) {
        List<String> args = new ArrayList<>(path);
        args.add(flag);
        String[] r = run(args);
        assertThat(r[0]).as("sluice %s: %s", String.join(" ", args), r[2]).isEqualTo("0");
        assertThat(r[1]).as("sluice %s", String.join(" ", args)).contains("Usage: sluice" + (path.isEmpty() ? ""
            : " " + String.join(" ", path))).contains("-h, --help");
      }
    }
  }

  @Test
  void commonCommandsShowAnExampleAndRequiredOptionsDoNotStopHelp() {
    assertThat(run(List.of("online-endpoint", "create", "--help"))[1]).contains("Example:")
        .contains("sluice online-endpoint create --name my-endpoint");
    assertThat(run(List.of("online-deployment", "create", "--help"))[1]).contains("Example:");
    String[] loadtest = run(List.of("loadtest", "--help"));
    assertThat(loadtest[0]).isEqualTo("0");
    assertThat(loadtest[2]).doesNotContain("Missing required");
    assertThat(run(List.of("node", "--help"))[1]).contains("drain").contains("undrain").contains("list");
    assertThat(run(List.of("model", "show", "--help"))[1]).as("the asset's own --version stays")
        .contains("--version");
  }

  /** The defaults rollout start's help names are the ones the server applies (the dashboard shows the same). */
  @Test
  void rolloutStartHelpNamesTheServersDefaults() {
    String help = run(List.of("online-endpoint", "rollout", "start", "--help"))[1].replaceAll("\\s+", " ");
    io.vertx.core.json.JsonObject d = io.sluice.rollout.RolloutPlan.defaults();
    java.util.function.Function<String, String> plain = f -> {
      Object v = d.getValue(f);
      return v instanceof Double x && x == Math.rint(x) ? String.valueOf(x.longValue()) : String.valueOf(v);
    };
    assertThat(help).contains("(default \"" + String.join(" ", d.getJsonArray("steps").stream().map(String::valueOf)
        .toList()) + "\")");
    for (String f : List.of("interval", "min_requests", "max_error_rate", "max_error_rate_increase", "max_p99_ratio",
        "min_agreement", "on_inconclusive", "max_inconclusive")) {
      String flag = "--" + f.replace('_', '-');
      int at = help.lastIndexOf(flag + "=<"); // its row, after the synopsis
      assertThat(at).as(flag).isNotNegative();
      assertThat(help.substring(at, help.indexOf(')', at) + 1)).as(flag).contains("(default " + plain.apply(f) + ")");
    }
    assertThat(help).contains("(default " + d.getInteger("mirror_first") + ": no mirror phase)");
  }
}
