package io.sluice.loadtest;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.PrintWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.HdrHistogram.Histogram;

/**
 * A bounded HTTP load, always stopping by itself ({@code maxRequests} or {@code durationMs}, whichever first).
 * <ul>
 *   <li>closed loop ({@code rate == 0}): {@code concurrency} requests in flight, each sent when one returns;</li>
 *   <li>open loop ({@code rate > 0}): requests are due at a fixed rate whatever the answers do, and latency counts
 *       from the moment a request was due, so a stall shows up in full (no coordinated omission);
 *       {@code concurrency} caps the connections.</li>
 * </ul>
 * Latency goes to an HdrHistogram; answers are counted by status and by the deployment that answered
 * ({@code azureml-model-deployment}), per second for the timeline, and per scenario step ({@code step}).
 */
public final class LoadGenerator {

  public record Settings(URI url, Map<String, String> headers, Buffer body, int concurrency, long maxRequests,
                         long durationMs, double rate, PrintWriter progress, IntSupplier step) {
    public Settings(URI url, Map<String, String> headers, Buffer body, int concurrency, long maxRequests,
                    long durationMs) {
      this(url, headers, body, concurrency, maxRequests, durationMs, 0, null, () -> 0);
    }
  }

  /**
   * One second of the run: answers, errors (non-2xx or no answer), that second's latency, its answers by status
   * ("no answer" for a request that got none) and the scenario step in force when it ended.
   */
  public record Second(int second, long answers, long errors, double p50Ms, double p99Ms, Map<String, Long> byStatus,
                       int step) {
  }

  public record Report(long requests, long errors, double seconds, Histogram latencyMicros,
                       Map<Integer, Long> byStatus, Map<String, Long> byDeployment, List<Second> timeline,
                       Map<Integer, long[]> byStep, String mode) {
    public double throughput() {
      return requests / seconds;
    }

    public String summary() {
      return String.format("%d requests in %.2f s = %.0f req/s (%s); p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, "
              + "p99.9 %.3f ms, max %.3f ms; status %s; deployments %s; connection errors %d", requests, seconds,
          throughput(), mode, ms(50), ms(90), ms(99), ms(99.9), latencyMicros.getMaxValue() / 1000.0, byStatus,
          byDeployment, errors);
    }

    public double ms(double percentile) {
      return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
    }

    /** Requests that did not get a 2xx answer. */
    public long failed() {
      return errors + byStatus.entrySet().stream().filter(e -> e.getKey() < 200 || e.getKey() > 299)
          .mapToLong(Map.Entry::getValue).sum();
    }
  }

  public static Report run(Settings s) throws Exception {
    return run(s, () -> false);
  }

  /** The same, also ending early once {@code stop} says so (a test's background load that is no longer needed). */
  public static Report run(Settings s, java.util.function.BooleanSupplier stop) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
              .setConnectTimeout(5000).setIdleTimeout(0),
          new PoolOptions().setHttp1MaxSize(s.concurrency()).setMaxWaitQueueSize(-1));
      Histogram hist = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
      Map<Integer, Long> byStatus = new TreeMap<>();
      Map<String, Long> byDeployment = new TreeMap<>();
      Map<Integer, long[]> byStep = new TreeMap<>();
      List<Second> timeline = new ArrayList<>();
      Histogram[] thisSecond = {new Histogram(TimeUnit.MINUTES.toMicros(10), 2)};
      long[] secondErrors = {0};
      var secondStatus = new Object() { // this second's answers by status (a holder the lambdas can refill)
        Map<String, Long> counts = new TreeMap<>();
      };
      long[] sent = {0};
      long[] done = {0};
      long[] errors = {0};
      long start = System.nanoTime();
      long deadline = start + TimeUnit.MILLISECONDS.toNanos(s.durationMs());
      Promise<Void> finished = Promise.promise();
      int port = s.url().getPort() > 0 ? s.url().getPort() : 80;
      RequestOptions opts = new RequestOptions().setMethod(HttpMethod.POST).setHost(s.url().getHost()).setPort(port)
          .setURI(s.url().getRawPath()).setTimeout(190_000);
      s.headers().forEach(opts::addHeader);
      boolean open = s.rate() > 0;

      Runnable[] closedNext = new Runnable[1];
      java.util.function.LongConsumer fire = intended -> {
        sent[0]++;
        int step = s.step().getAsInt();
        client.request(opts).compose(req -> req.send(s.body())).compose(resp -> {
          byStatus.merge(resp.statusCode(), 1L, Long::sum);
          secondStatus.counts.merge(String.valueOf(resp.statusCode()), 1L, Long::sum);
          if (resp.statusCode() < 200 || resp.statusCode() > 299) {
            secondErrors[0]++;
            byStep.computeIfAbsent(step, k -> new long[2])[1]++;
          }
          String d = resp.getHeader("azureml-model-deployment");
          if (d != null) {
            byDeployment.merge(d, 1L, Long::sum);
          }
          return resp.body();
        }).onComplete(ar -> {
          done[0]++;
          byStep.computeIfAbsent(step, k -> new long[2])[0]++;
          if (ar.failed()) {
            errors[0]++;
            secondErrors[0]++;
            secondStatus.counts.merge("no answer", 1L, Long::sum);
            byStep.get(step)[1]++;
          }
          long micros = Math.max(1, TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - intended));
          hist.recordValue(Math.min(micros, hist.getHighestTrackableValue()));
          thisSecond[0].recordValue(Math.min(micros, thisSecond[0].getHighestTrackableValue()));
          if (!open) {
            closedNext[0].run();
          } else if (done[0] == sent[0] && (sent[0] >= s.maxRequests() || System.nanoTime() > deadline
              || stop.getAsBoolean())) {
            finished.tryComplete();
          }
        });
      };
      closedNext[0] = () -> {
        if (sent[0] >= s.maxRequests() || System.nanoTime() > deadline || stop.getAsBoolean()) {
          if (done[0] == sent[0]) {
            finished.tryComplete();
          }
          return;
        }
        fire.accept(System.nanoTime());
      };

      long[] elapsedSeconds = {0};
      long[] lastDone = {0};
      // one second of the timeline; the run's last (partial) second is recorded when the run ends
      Runnable tick = () -> {
        elapsedSeconds[0]++;
        long answers = done[0] - lastDone[0];
        lastDone[0] = done[0];
        Histogram h = thisSecond[0];
        timeline.add(new Second((int) elapsedSeconds[0], answers, secondErrors[0], h.getValueAtPercentile(50) / 1000.0,
            h.getValueAtPercentile(99) / 1000.0, secondStatus.counts, s.step().getAsInt()));
        secondStatus.counts = new TreeMap<>();
        if (s.progress() != null) {
          s.progress().printf("t=%ds sent=%d answered=%d %d req/s p99 %.2f ms failed %d%n", elapsedSeconds[0],
              sent[0], done[0], answers, h.getValueAtPercentile(99) / 1000.0, secondErrors[0]);
          s.progress().flush();
        }
        thisSecond[0] = new Histogram(TimeUnit.MINUTES.toMicros(10), 2);
        secondErrors[0] = 0;
      };
      io.vertx.core.Context context = vertx.getOrCreateContext();
      long[] ticker = {-1};
      context.runOnContext(v -> {
        ticker[0] = vertx.setPeriodic(1000, t -> tick.run());
        if (!open) {
          for (int i = 0; i < s.concurrency(); i++) {
            closedNext[0].run();
          }
          return;
        }
        double intervalNanos = 1e9 / s.rate();
        vertx.setPeriodic(1, t -> {
          if (finished.future().isComplete()) {
            vertx.cancelTimer(t); // the run ended on its last answer; the client is closing
            return;
          }
          long now = System.nanoTime();
          while (sent[0] < s.maxRequests()) {
            long due = start + (long) (sent[0] * intervalNanos);
            if (due > now || due > deadline || stop.getAsBoolean()) {
              break;
            }
            fire.accept(due); // latency counts from when it was due, not from when it went out
          }
          if (sent[0] >= s.maxRequests() || now > deadline || stop.getAsBoolean()) {
            vertx.cancelTimer(t);
            if (done[0] == sent[0]) {
              finished.tryComplete();
            }
          }
        });
      });
      finished.future().await(s.durationMs() + 200_000, TimeUnit.MILLISECONDS);
      double seconds = (System.nanoTime() - start) / 1e9;
      Promise<Void> tail = Promise.promise();
      context.runOnContext(v -> { // on the run's own event loop: its counters are plain fields
        vertx.cancelTimer(ticker[0]);
        if (done[0] > lastDone[0]) {
          tick.run();
        }
        tail.complete();
      });
      tail.future().await(10, TimeUnit.SECONDS);
      return new Report(done[0], errors[0], seconds, hist, byStatus, byDeployment, timeline, byStep,
          open ? "open loop at " + s.rate() + " req/s" : "closed loop, " + s.concurrency() + " in flight");
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
