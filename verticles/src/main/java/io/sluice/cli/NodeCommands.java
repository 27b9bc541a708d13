package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice node list|drain|undrain}: the cluster's nodes, and taking one out of service for maintenance
 * without stopping it. A Sluice extension (Azure manages its machines itself); REST under {@code /api/nodes}.
 */
public final class NodeCommands {
  private NodeCommands() {
  }

  static String path(String name) {
    return "/api/nodes/" + ApiClient.segment(name);
  }

  @Command(name = "list", description = "List the cluster's nodes: name, roles, address, version, instances, state, "
      + "load (instances over capacity).")
  public static final class List implements Callable<Integer> {
    @Mixin Common c;

    @Override
    public Integer call() {
      c.checkQuery();
      c.print(c.api().get("/api/nodes").path("value"));
      return 0;
    }
  }

  @Command(name = "drain", footer = {"", "Example:", "  sluice node drain node-10.0.0.11-8080 --routers-too"},
      description = "Move a node's instances to other nodes (replacements Ready first) and place "
      + "none there until undrained; waits until it hosts nothing unless --no-wait. Kept across restarts.")
  public static final class Drain implements Callable<Integer> {
    private static final Set<String> DONE = Set.of("Drained", "Stopped");
    @Mixin Common c;
    @Parameters(index = "0", paramLabel = "NAME", description = "the node's name (sluice node list)") String name;
    @Option(names = "--routers-too", description = "also take its router out: /healthz answers 503 DRAINED so load "
        + "balancers send it nothing (requests that still arrive are served)") boolean routersToo;
    @Option(names = "--no-wait", description = "return once the drain is recorded") boolean noWait;
    @Option(names = "--timeout", description = "seconds to wait for the node to host nothing (default 600)")
    int timeout = 600;

    @Override
    public Integer call() {
      c.checkQuery();
      JsonNode row = c.api().post(path(name) + "/drain", ApiClient.JSON.createObjectNode().put("routers",
          routersToo));
      if (!noWait && !DONE.contains(row.path("state").asText())) {
        row = c.waitFor("draining " + name + " ", () -> c.api().get(path(name)),
            r -> DONE.contains(r.path("state").asText()), timeout);
      }
      c.print(row);
      return 0;
    }
  }

  @Command(name = "undrain", description = "Let a drained node host instances again (new ones; running ones stay "
      + "where they are) and put its router back.")
  public static final class Undrain implements Callable<Integer> {
    @Mixin Common c;
    @Parameters(index = "0", paramLabel = "NAME", description = "the node's name (sluice node list)") String name;

    @Override
    public Integer call() {
      c.checkQuery();
      c.print(c.api().post(path(name) + "/undrain", ApiClient.JSON.createObjectNode()));
      return 0;
    }
  }
}
