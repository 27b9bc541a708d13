package io.sluice.loadtest;

import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice loadtest}: a bounded load at one scoring URI (loopback or your own test hosts), closed loop
 * ({@code --concurrency}) or open loop ({@code --rate}), with percentiles, a progress line, and optional
 * JSON + HTML reports. With {@code --step} (or {@code --scenario rollout}) it runs commands while the load runs
 * and counts failed requests per step.
 */
@Command(name = "loadtest", description = "Drive a bounded load at a scoring URI and report latency percentiles.")
public final class LoadtestCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Option(names = "--url", required = true) URI url;
  @Option(names = "--key", description = "endpoint key or token (sent as Authorization: Bearer)") String key;
  @Option(names = "--body-file", required = true) Path bodyFile;
  @Option(names = "--header", description = "extra header name:value (repeatable)") List<String> headers = List.of();
  @Option(names = "--concurrency", defaultValue = "8", description = "requests in flight (closed loop), or the "
      + "connection cap (open loop)") int concurrency;
  @Option(names = "--rate", defaultValue = "0", description = "open loop: requests per second, latency from when "
      + "each was due") double rate;
  @Option(names = "--requests", defaultValue = "1000000", description = "stop after this many") long requests;
  @Option(names = "--duration", defaultValue = "10s", description = "stop after this long (e.g. 500ms, 30s, 2m)")
  String duration;
  @Option(names = "--report", description = "write FILE.json and FILE.html") Path report;
  @Option(names = "--step", description = "a shell command to run during the load (repeatable, in order)")
  List<String> steps = new ArrayList<>();
  @Option(names = "--step-interval", defaultValue = "2s", description = "time between steps") String stepInterval;
  @Option(names = "--scenario", description = "rollout: the walkthrough's traffic moves on --endpoint (blue to "
      + "green), as steps") String scenario;
  @Option(names = "--endpoint", description = "the endpoint of --scenario rollout") String endpoint;
  @Option(names = "--quiet", description = "no progress line") boolean quiet;
  @Option(names = "--warmup", description = "a load of this length first, not recorded (JIT warm-up)") String warmup;

  @Override
  public Integer call() throws Exception {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Content-Type", "application/json");
    if (key != null) {
      h.put("Authorization", "Bearer " + key);
    }
    for (String kv : headers) {
      int c = kv.indexOf(':');
      if (c <= 0) {
        throw new IllegalArgumentException("--header: '" + kv + "' is not name:value");
      }
      h.put(kv.substring(0, c).trim(), kv.substring(c + 1).trim());
    }
    List<String> all = new ArrayList<>(steps);
    if ("rollout".equals(scenario)) {
      if (endpoint == null) {
        throw new IllegalArgumentException("--scenario rollout needs --endpoint");
      }
      String s = System.getProperty("sluice.bin", "bin/sluice");
      all.addAll(List.of(
          s + " online-endpoint update -n " + endpoint + " --mirror-traffic green=10 -o none",
          s + " online-endpoint update -n " + endpoint + " --mirror-traffic green=0 -o none",
          s + " online-endpoint update -n " + endpoint + " --traffic 'blue=90 green=10' -o none",
          s + " online-endpoint update -n " + endpoint + " --traffic 'blue=50 green=50' -o none",
          s + " online-endpoint update -n " + endpoint + " --traffic 'blue=0 green=100' -o none"));
    } else if (scenario != null) {
      throw new IllegalArgumentException("--scenario: '" + scenario + "' is not a scenario (known: rollout)");
    }
    long durationMs = parseDuration(duration);
    if (warmup != null) {
      LoadGenerator.run(new LoadGenerator.Settings(url, h, Buffer.buffer(Files.readAllBytes(bodyFile)), concurrency,
          requests, parseDuration(warmup), rate, null, () -> 0));
    }
    AtomicInteger step = new AtomicInteger();
    CompletableFuture<LoadGenerator.Report> load = CompletableFuture.supplyAsync(() -> {
      try {
        return LoadGenerator.run(new LoadGenerator.Settings(url, h, Buffer.buffer(Files.readAllBytes(bodyFile)),
            concurrency, requests, durationMs, rate, quiet ? null : spec.commandLine().getErr(), step::get));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    long interval = parseDuration(stepInterval);
    for (int i = 0; i < all.size() && !load.isDone(); i++) {
      Thread.sleep(interval);
      step.set(i + 1);
      Process p = new ProcessBuilder("sh", "-c", all.get(i)).inheritIO().start();
      if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
        spec.commandLine().getErr().println("step " + (i + 1) + " failed: " + all.get(i));
      }
    }
    LoadGenerator.Report r = load.get();
    spec.commandLine().getOut().println(r.summary());
    if (!all.isEmpty()) {
      r.byStep().forEach((k, v) -> spec.commandLine().getOut().printf("step %d (%s): %d requests, %d failed%n", k,
          k == 0 ? "before the first step" : all.get(k - 1), v[0], v[1]));
    }
    if (report != null) {
      ReportFiles.write(report, r, all);
    }
    spec.commandLine().getOut().flush();
    return r.failed() == 0 ? 0 : 3;
  }

  static long parseDuration(String d) {
    if (d.endsWith("ms")) {
      return Long.parseLong(d.substring(0, d.length() - 2));
    }
    if (d.endsWith("s")) {
      return (long) (Double.parseDouble(d.substring(0, d.length() - 1)) * 1000);
    }
    if (d.endsWith("m")) {
      return (long) (Double.parseDouble(d.substring(0, d.length() - 1)) * 60_000);
    }
    return (long) (Double.parseDouble(d) * 1000);
  }
}
