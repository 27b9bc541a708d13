package io.sluice.it;

import io.sluice.loadtest.LoadGenerator;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A load in the background until {@link #end} or its own bound: {@link #start} is 200 requests a second of
 * {"x": 1} on a scoring URL for at most 2 minutes; {@link #of} any settings.
 */
record BackgroundLoad(CompletableFuture<LoadGenerator.Report> report, AtomicBoolean stop) implements AutoCloseable {
  static BackgroundLoad start(String url, String key) {
    return of(new LoadGenerator.Settings(URI.create(url), Map.of("Authorization", "Bearer " + key),
        Buffer.buffer("{\"x\": 1}"), 4, 24_000, 120_000, 200.0, null, () -> 0));
  }

  static BackgroundLoad of(LoadGenerator.Settings settings) {
    AtomicBoolean stop = new AtomicBoolean();
    CompletableFuture<LoadGenerator.Report> report = CompletableFuture.supplyAsync(() -> {
      try {
        return LoadGenerator.run(settings, stop::get);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    return new BackgroundLoad(report, stop);
  }

  /** Stops the load (the requests in flight are answered first) and returns its report. */
  LoadGenerator.Report end() throws Exception {
    stop.set(true);
    return report.get(60, TimeUnit.SECONDS);
  }

  /** Stops the load without waiting for it: what a test that failed before {@link #end} leaves behind. */
  @Override
  public void close() {
    stop.set(true);
  }
}
