package io.sluice.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Smoke run of the load generator against a real HTTP server on loopback: bounded by count. */
class LoadGeneratorTest {
  @Test
  void countsEveryAnswerByStatusAndDeployment() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      HttpServer server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
        boolean green = req.getHeader("x-flip") != null;
        req.response().putHeader("azureml-model-deployment", green ? "green" : "blue")
            .setStatusCode(b.length() > 0 ? 200 : 400).end(b);
      })).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
      LoadGenerator.Report r = LoadGenerator.run(new LoadGenerator.Settings(
          URI.create("http://127.0.0.1:" + server.actualPort() + "/endpoints/e/score"), Map.of(),
          Buffer.buffer("{\"data\": [1]}"), 4, 500, 30_000));
      assertThat(r.requests()).isEqualTo(500);
      assertThat(r.errors()).isZero();
      assertThat(r.byStatus()).isEqualTo(Map.of(200, 500L));
      assertThat(r.byDeployment()).isEqualTo(Map.of("blue", 500L));
      assertThat(r.latencyMicros().getTotalCount()).isEqualTo(500);
      assertThat(r.summary()).contains("500 requests");
      assertThat(r.failed()).isZero();
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void openLoopCountsAStallFromWhenRequestsWereDueAndWritesReports(@org.junit.jupiter.api.io.TempDir
                                                                  java.nio.file.Path dir) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      long[] n = {0};
      HttpServer server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
        // one 300 ms stall in the middle: every request due meanwhile must show the wait
        if (++n[0] == 50) {
          vertx.setTimer(300, t -> req.response().end("slow"));
        } else {
          req.response().putHeader("azureml-model-deployment", "blue").end(b);
        }
      })).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
      LoadGenerator.Report r = LoadGenerator.run(new LoadGenerator.Settings(
          URI.create("http://127.0.0.1:" + server.actualPort() + "/s"), Map.of(), Buffer.buffer("x"), 1, 200, 30_000,
          200, null, () -> 0));
      assertThat(r.requests()).isEqualTo(200);
      assertThat(r.mode()).startsWith("open loop");
      // with one connection, the ~60 requests due during the stall all waited: well over 1% of requests saw >100 ms
      assertThat(r.latencyMicros().getValueAtPercentile(90)).isGreaterThan(100_000);
      ReportFiles.write(dir.resolve("run"), r, java.util.List.of());
      String json = java.nio.file.Files.readString(dir.resolve("run.json"));
      assertThat(json).contains("\"throughput_rps\"").contains("\"p99\"").contains("\"timeline\"");
      assertThat(json).contains("\"by_status\"").contains("\"step\"");
      // the chart library is inlined (the report opens offline); DashboardTest draws it in a real browser
      assertThat(java.nio.file.Files.readString(dir.resolve("run.html"))).contains("const DATA = ")
          .contains("Latency by percentile").contains("uPlot").doesNotContain("<svg").doesNotContain("src=\"http");
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
