package io.sluice.cli;

import io.sluice.node.NodeCommand;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code sluice}: the az-ml-style command line. Every command but {@code node} is a client of a node's REST API.
 * Runs in-process in tests with its own environment and streams.
 */
@Command(name = "sluice", mixinStandardHelpOptions = true, versionProvider = SluiceCli.Version.class,
    description = "Self-hosted online endpoints for ML models, with safe rollout. Mirrors 'az ml'.",
    subcommands = {NodeCommand.class, EndpointCommands.class, DeploymentCommands.class, AssetCommands.Model.class,
        AssetCommands.Environment.class, io.sluice.loadtest.LoadtestCommand.class, CommandLine.HelpCommand.class})
public final class SluiceCli {
  /** {@code sluice --version}: the release and the commit it was built from. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"sluice " + io.sluice.node.Release.version() + " (commit "
          + io.sluice.node.Release.commit() + ")", "protocol version " + io.sluice.protocol.ProtocolVersion.CURRENT};
    }
  }

  final Map<String, String> env;

  public Map<String, String> env() {
    return env;
  }

  public SluiceCli(Map<String, String> env) {
    this.env = env;
  }

  public static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new SluiceCli(env));
    withHelp(cl);
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler((ex, line, parsed) -> {
      // user input never gets a stack trace: the message names the field and the rule; --debug adds the trace
      line.getErr().println("ERROR: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
      if (parsed.originalArgs().contains("--debug")) {
        ex.printStackTrace(line.getErr());
      }
      line.getErr().flush();
      return 1;
    });
    int code = cl.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /**
   * {@code -h/--help} on every command and subcommand, as {@code az ml ... --help} (picocli's standard help
   * options cannot be inherited whole: the asset commands' {@code --version} is Azure's asset version).
   */
  static void withHelp(CommandLine cl) {
    CommandLine.Model.CommandSpec spec = cl.getCommandSpec();
    if (spec.findOption("--help") == null) {
      spec.addOption(CommandLine.Model.OptionSpec.builder("-h", "--help").usageHelp(true)
          .description("Show this help message and exit.").build());
    }
    cl.getSubcommands().values().forEach(SluiceCli::withHelp);
  }

  public static void main(String[] args) {
    int code = run(args, System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    System.exit(code);
  }
}
