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
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
