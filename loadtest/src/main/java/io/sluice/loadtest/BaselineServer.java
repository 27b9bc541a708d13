package io.sluice.loadtest;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's physical limit for this stack: a plain Vert.x HTTP server that answers every request with its
 * body, on one event loop (one verticle, like Sluice's router) or on several. {@code java -cp sluice.jar
 * io.sluice.loadtest.BaselineServer PORT [NAME [EVENT_LOOPS]]}; NAME goes into {@code azureml-model-deployment}
 * (for nginx runs).
 */
public final class BaselineServer {
  private BaselineServer() {
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    String name = args.length > 1 ? args[1] : "baseline";
    int loops = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    Vertx vertx = Vertx.vertx();
    // each instance's server listens on the same port: Vert.x spreads the connections over their event loops
    vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        return vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> req.response()
                .putHeader("content-type", "application/json").putHeader("azureml-model-deployment", name).end(b)))
            .listen(port, "127.0.0.1");
      }
    }, new DeploymentOptions().setInstances(loops)).await(30, TimeUnit.SECONDS);
    System.out.println("baseline echo server on 127.0.0.1:" + port + " (" + loops + " event loops)");
    Thread.currentThread().join();
  }
}
