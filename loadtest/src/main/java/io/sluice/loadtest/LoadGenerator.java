package io.sluice.loadtest;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Closed-loop load: {@code concurrency} requests in flight until {@code maxRequests} are sent or {@code duration}
 * passes, whichever first (always bounded). Latency goes to an HdrHistogram; answers are counted by status and by
 * the deployment that answered ({@code azureml-model-deployment}).
 */
public final class LoadGenerator {

  public record Settings(URI url, Map<String, String> headers, Buffer body, int concurrency, long maxRequests,
                         long durationMs) {
  }

  public record Report(long requests, long errors, double seconds, Histogram latencyMicros,
                       Map<Integer, Long> byStatus, Map<String, Long> byDeployment) {
    public double throughput() {
      return requests / seconds;
    }

    public String summary() {
      return String.format("%d requests in %.2f s = %.0f req/s; p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, p99.9 %.3f ms,"
              + " max %.3f ms; status %s; deployments %s; connection errors %d", requests, seconds, throughput(),
          ms(50), ms(90), ms(99), ms(99.9), latencyMicros.getMaxValue() / 1000.0, byStatus, byDeployment, errors);
    }

    public double ms(double percentile) {
      return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
    }
  }

  public static Report run(Settings s) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
          new PoolOptions().setHttp1MaxSize(s.concurrency()));
      Histogram hist = new Histogram(TimeUnit.MINUTES.toMicros(5), 3);
      Map<Integer, Long> byStatus = new TreeMap<>();
      Map<String, Long> byDeployment = new TreeMap<>();
      long[] sent = {0};
      long[] done = {0};
      long[] errors = {0};
      long start = System.nanoTime();
      long deadline = start + TimeUnit.MILLISECONDS.toNanos(s.durationMs());
      Promise<Void> finished = Promise.promise();
      int port = s.url().getPort() > 0 ? s.url().getPort() : 80;
      RequestOptions opts = new RequestOptions().setMethod(HttpMethod.POST).setHost(s.url().getHost()).setPort(port)
          .setURI(s.url().getRawPath());
      s.headers().forEach(opts::addHeader);
      Runnable[] next = new Runnable[1];
      next[0] = () -> {
        if (sent[0] >= s.maxRequests() || System.nanoTime() > deadline) {
          if (done[0] == sent[0]) {
            finished.tryComplete();
          }
          return;
        }
        sent[0]++;
        long t0 = System.nanoTime();
        client.request(opts).compose(req -> req.send(s.body())).compose(resp -> {
          byStatus.merge(resp.statusCode(), 1L, Long::sum);
          String d = resp.getHeader("azureml-model-deployment");
          if (d != null) {
            byDeployment.merge(d, 1L, Long::sum);
          }
          return resp.body();
        }).onComplete(ar -> {
          done[0]++;
          if (ar.failed()) {
            errors[0]++;
          }
          hist.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - t0)));
          next[0].run();
        });
      };
      vertx.runOnContext(v -> {
        for (int i = 0; i < s.concurrency(); i++) {
          next[0].run();
        }
      });
      Future<Void> f = finished.future();
      f.await(s.durationMs() + 60_000, TimeUnit.MILLISECONDS);
      double seconds = (System.nanoTime() - start) / 1e9;
      return new Report(done[0], errors[0], seconds, hist, byStatus, byDeployment);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
