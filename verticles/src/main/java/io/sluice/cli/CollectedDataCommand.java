package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sluice online-deployment get-collected-data -n D -e E --collection request [--since 1h] [--limit N]}: the
 * newest records of one of the deployment's data_collector collections, from every node that holds some, as JSON
 * lines (one record a line, newest first) unless {@code -o} or {@code --query} asks for the usual output.
 */
@Command(name = "get-collected-data", description = "Print the newest records a deployment's data_collector wrote "
    + "(from every node), one JSON line each.", footer = {"", "Example:",
    "  sluice online-deployment get-collected-data -n blue -e my-endpoint --collection request --since 1h --limit 20"})
final class CollectedDataCommand implements Callable<Integer> {
  @Mixin Common c;
  @Option(names = {"-n", "--name"}, required = true, description = "the deployment") String name;
  @Option(names = {"-e", "--endpoint-name", "--endpoint"}, required = true) String endpoint;
  @Option(names = "--collection", required = true, description = "request, response, or a collection the score.py "
      + "collects (model_inputs, ...)") String collection;
  @Option(names = "--since", description = "how far back: 90s, 30m, 1h, 7d, or an ISO time (default 24h)") String since;
  @Option(names = "--limit", description = "at most this many records, 1 to 10000 (default 100)") String limit;

  @Override
  public Integer call() {
    c.checkQuery();
    StringBuilder q = new StringBuilder("?collection=").append(enc(collection));
    if (since != null) {
      q.append("&since=").append(enc(since));
    }
    if (limit != null) {
      q.append("&limit=").append(enc(limit));
    }
    JsonNode r = c.api().get(DeploymentCommands.path(endpoint, name) + "/collected" + q);
    for (JsonNode unanswered : r.path("unanswered")) {
      c.err().println("warning: a node did not answer, its records are missing: " + unanswered.asText());
    }
    boolean usual = c.spec.commandLine().getParseResult().hasMatchedOption("--output")
        || c.spec.commandLine().getParseResult().hasMatchedOption("--query");
    if (usual) {
      c.print(r.path("value"));
    } else {
      r.path("value").forEach(rec -> c.out().println(rec.toString()));
      c.out().flush();
    }
    return 0;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
