package io.sluice.loadtest;

import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's physical limit for this stack: a plain Vert.x HTTP server (one verticle, one event loop, like
 * Sluice's router) that answers every request with its body. {@code java -cp sluice.jar
 * io.sluice.loadtest.BaselineServer PORT [NAME]}; NAME goes into {@code azureml-model-deployment} (for nginx runs).
 */
public final class BaselineServer {
  private BaselineServer() {
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    String name = args.length > 1 ? args[1] : "baseline";
    Vertx vertx = Vertx.vertx();
    vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> req.response()
            .putHeader("content-type", "application/json").putHeader("azureml-model-deployment", name).end(b)))
        .listen(port, "127.0.0.1").await(30, TimeUnit.SECONDS);
    System.out.println("baseline echo server on 127.0.0.1:" + port);
    Thread.currentThread().join();
  }
}
