package io.sluice.loadtest;

import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice loadtest}: a bounded closed-loop load against one scoring URI (loopback or your own test hosts). */
@Command(name = "loadtest", description = "Drive a bounded load at a scoring URI and print latency percentiles.")
public final class LoadtestCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Option(names = "--url", required = true) URI url;
  @Option(names = "--key", description = "endpoint key (sent as Authorization: Bearer)") String key;
  @Option(names = "--body-file", required = true) Path bodyFile;
  @Option(names = "--header", description = "extra header k:v (repeatable)") List<String> headers = List.of();
  @Option(names = "--concurrency", defaultValue = "8") int concurrency;
  @Option(names = "--requests", defaultValue = "100000", description = "stop after this many") long requests;
  @Option(names = "--duration", defaultValue = "10s", description = "stop after this long (e.g. 30s, 2m)")
  String duration;

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
    LoadGenerator.Report r = LoadGenerator.run(new LoadGenerator.Settings(url, h,
        Buffer.buffer(Files.readAllBytes(bodyFile)), concurrency, requests, parseDuration(duration)));
    spec.commandLine().getOut().println(r.summary());
    spec.commandLine().getOut().flush();
    return 0;
  }

  static long parseDuration(String d) {
    if (d.endsWith("ms")) {
      return Long.parseLong(d.substring(0, d.length() - 2));
    }
    if (d.endsWith("s")) {
      return Long.parseLong(d.substring(0, d.length() - 1)) * 1000;
    }
    if (d.endsWith("m")) {
      return Long.parseLong(d.substring(0, d.length() - 1)) * 60_000;
    }
    return Long.parseLong(d) * 1000;
  }
}
