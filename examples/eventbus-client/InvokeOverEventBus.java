// A Vert.x application that joins a Sluice cluster and scores over the event bus instead of HTTP.
//
//   java -cp verticles/target/sluice.jar examples/eventbus-client/InvokeOverEventBus.java \
//        <cluster-name> <endpoint> <key or aml token> <request-json> [deployment]
//
// It joins like a node (cluster-config/hazelcast-loopback.yaml on this machine; give the same Hazelcast
// file and --cluster-host setting as your nodes elsewhere), sends to sluice.invoke, prints who answered and what,
// and leaves. Errors arrive as ReplyException whose failureCode() is the HTTP status Sluice would have answered.
import io.sluice.client.SluiceClient;
import io.sluice.node.ClusterSetup;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.concurrent.TimeUnit;

public class InvokeOverEventBus {
  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println("usage: InvokeOverEventBus <cluster-name> <endpoint> <key> <request-json> [deployment]");
      System.exit(2);
    }
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1")))
        .withClusterManager(new HazelcastClusterManager(ClusterSetup.hazelcast(null, args[0], List.of())))
        .buildClustered().await(60, TimeUnit.SECONDS);
    int code = 0;
    try {
      SluiceClient sluice = new SluiceClient(vertx, 30_000);
      SluiceClient.Answer a = sluice.invoke(args[1], args[2], args[3], args.length > 4 ? args[4] : null)
          .await(60, TimeUnit.SECONDS);
      System.out.println(a.deployment() + " answered " + a.body());
    } catch (ReplyException e) {
      System.out.println("HTTP " + e.failureCode() + ": " + e.getMessage());
      code = 1;
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
    System.exit(code);
  }
}
