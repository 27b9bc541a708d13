package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sluice online-endpoint rollout …}: Sluice's extension of az ml: a rollout that moves traffic to a deployment
 * step by step, judges each step against the live deployments and rolls back by itself.
 */
@Command(name = "rollout", description = "Roll a deployment out step by step, judged against the live ones.",
    subcommands = {RolloutCommands.Start.class, RolloutCommands.Show.class, RolloutCommands.Verb.Pause.class,
        RolloutCommands.Verb.Resume.class, RolloutCommands.Verb.Abort.class})
final class RolloutCommands {
  private static final Set<String> ENDED = Set.of("Succeeded", "RolledBack", "Aborted");

  static String path(String endpoint) {
    return EndpointCommands.path(endpoint) + "/rollout";
  }

  @Command(name = "start", description = "Start a rollout and follow it (one line per verdict) unless --no-wait.")
  static final class Start implements Callable<Integer> {
    @Mixin Common c;
    @Option(names = {"-n", "--name"}, required = true, description = "the endpoint") String name;
    @Option(names = "--deployment", required = true, description = "the deployment to roll out") String deployment;
    @Option(names = "--steps", description = "percents of live traffic, increasing, ending at 100 "
        + "(default \"10 25 50 100\")") String steps;
    @Option(names = "--interval", description = "each step's window, 1s to 15m (default 30s)") String interval;
    @Option(names = "--min-requests", description = "answers a window needs, else it is inconclusive (default 100)")
    String minRequests;
    @Option(names = "--max-error-rate", description = "percent of server faults (default 1)") String maxErrorRate;
    @Option(names = "--max-error-rate-increase", description = "percent points over live's error rate (default 0.5)")
    String maxErrorRateIncrease;
    @Option(names = "--max-p99-ratio", description = "the target's p99 over live's (default 1.5)") String maxP99Ratio;
    @Option(names = "--mirror-first", description = "percent mirrored to the target before it gets live traffic, "
        + "0 to 50 (default 0: no mirror phase)") String mirrorFirst;
    @Option(names = "--min-agreement", description = "percent of mirrored answers agreeing with live's (default 99)")
    String minAgreement;
    @Option(names = "--on-inconclusive", description = "hold or rollback (default hold)") String onInconclusive;
    @Option(names = "--max-inconclusive", description = "inconclusive windows in a row before --on-inconclusive "
        + "applies (default 5)") String maxInconclusive;
    @Option(names = "--replay-first", description = "replay this many of the live deployments' recorded requests "
        + "(data_collector request and response) to the target and compare its answers before any mirror or live step,"
        + " 0 to 10000 (default 0: no replay)") String replayFirst;
    @Option(names = "--replay-rate", description = "replayed requests a second (default 50)") String replayRate;
    @Option(names = "--delete-previous", description = "delete the deployments that had the traffic before, once it "
        + "succeeds") boolean deletePrevious;
    @Option(names = "--no-wait", description = "print the rollout as started and return") boolean noWait;

    @Override
    public Integer call() {
      c.checkQuery();
      ObjectNode spec = ApiClient.JSON.createObjectNode().put("deployment", deployment);
      put(spec, "steps", steps);
      put(spec, "interval", interval);
      put(spec, "min_requests", minRequests);
      put(spec, "max_error_rate", maxErrorRate);
      put(spec, "max_error_rate_increase", maxErrorRateIncrease);
      put(spec, "max_p99_ratio", maxP99Ratio);
      put(spec, "mirror_first", mirrorFirst);
      put(spec, "min_agreement", minAgreement);
      put(spec, "on_inconclusive", onInconclusive);
      put(spec, "max_inconclusive", maxInconclusive);
      put(spec, "replay_first", replayFirst);
      put(spec, "replay_rate", replayRate);
      if (deletePrevious) {
        spec.put("delete_previous", true);
      }
      JsonNode started = c.api().post(path(name), spec);
      if (noWait) {
        c.print(started);
        return 0;
      }
      return follow(c, name, started);
    }

    /** Numbers stay strings here: the node checks them and names the field when one is wrong. */
    private static void put(ObjectNode spec, String field, String value) {
      if (value != null) {
        spec.put(field, value);
      }
    }
  }

  /** Prints each new verdict as a line until the rollout ends: 0 when it Succeeded, 1 (with the reason) otherwise. */
  static int follow(Common c, String name, JsonNode rollout) {
    int shown = 0;
    String lastStatus = "";
    try {
      while (true) {
        JsonNode verdicts = rollout.path("verdicts");
        for (; shown < verdicts.size(); shown++) {
          c.err().println(line(verdicts.get(shown)));
        }
        String status = rollout.path("status").asText();
        if (!status.equals(lastStatus) && status.equals("Paused")) {
          c.err().println("paused: " + rollout.path("reason").asText());
        }
        lastStatus = status;
        c.err().flush();
        if (ENDED.contains(status)) {
          c.print(rollout);
          if (!status.equals("Succeeded")) {
            throw new CliException("rollout of '" + rollout.path("deployment").asText() + "' " + status + ": "
                + rollout.path("reason").asText());
          }
          return 0;
        }
        Thread.sleep(1000);
        rollout = c.api().get(path(name));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
  }

  static String line(JsonNode v) {
    JsonNode f = v.path("figures");
    if (f.has("replay_compared")) {
      StringBuilder b = new StringBuilder("step ").append(v.path("step").asText()).append(": ")
          .append(v.path("outcome").asText()).append(" (").append(f.path("replay_compared").asText())
          .append(" replayed answers compared, ").append(f.path("replay_agreed").asText()).append(" agreed with the "
              + "recorded ones: ").append(f.path("agreement").asText()).append(" %)");
      v.path("reasons").forEach(r -> b.append("; ").append(r.asText()));
      return b.toString();
    }
    StringBuilder b = new StringBuilder("step ").append(v.path("step").asText()).append(": ")
        .append(v.path("outcome").asText()).append(" (target ").append(f.path("target_answers").asText())
        .append(" answers, error rate ").append(f.path("target_error_rate").asText()).append(" %, p99 ")
        .append(f.path("target_p99_ms").asText()).append(" ms; live ").append(f.path("live_answers").asText())
        .append(" answers, ").append(f.path("live_error_rate").asText()).append(" %, p99 ")
        .append(f.path("live_p99_ms").asText()).append(" ms)");
    for (JsonNode r : v.path("reasons")) {
      b.append("; ").append(r.asText());
    }
    return b.toString();
  }

  @Command(name = "show", description = "Show the endpoint's rollout: state, step, every verdict with its figures.")
  static final class Show implements Callable<Integer> {
    @Mixin Common c;
    @Option(names = {"-n", "--name"}, required = true) String name;

    @Override
    public Integer call() {
      c.checkQuery();
      c.print(c.api().get(path(name)));
      return 0;
    }
  }

  /** pause, resume, abort: one POST each. */
  abstract static class Verb implements Callable<Integer> {
    @Mixin Common c;
    @Option(names = {"-n", "--name"}, required = true) String name;

    abstract String verb();

    @Override
    public Integer call() {
      c.checkQuery();
      c.print(c.api().post(path(name) + "/" + verb(), ApiClient.JSON.createObjectNode()));
      return 0;
    }

    @Command(name = "pause", description = "Stop judging and moving; the traffic stays where it is.")
    static final class Pause extends Verb {
      @Override
      String verb() {
        return "pause";
      }
    }

    @Command(name = "resume", description = "Judge the current step again, with a fresh window.")
    static final class Resume extends Verb {
      @Override
      String verb() {
        return "resume";
      }
    }

    @Command(name = "abort", description = "Restore the traffic and mirror from before the rollout.")
    static final class Abort extends Verb {
      @Override
      String verb() {
        return "abort";
      }
    }
  }
}
