// A Java application that scores over a Sluice node's event-bus bridge instead of HTTP. It does not join the
// cluster: it opens one TCP connection to the node's bridge port (bridge.port, default the HTTP port + 1000).
//
//   java -cp verticles/target/sluice.jar examples/bridge-client/InvokeOverBridge.java \
//        <host> <bridge-port> <endpoint> <key or aml token> <request-json> [deployment]
//
// It prints who answered and what. Errors arrive as ReplyException whose failureCode() is the HTTP status Sluice
// would have answered.
import io.sluice.client.SluiceClient;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import java.util.concurrent.TimeUnit;

public class InvokeOverBridge {
  public static void main(String[] args) throws Exception {
    if (args.length < 5) {
      System.err.println("usage: InvokeOverBridge <host> <bridge-port> <endpoint> <key> <request-json> [deployment]");
      System.exit(2);
    }
    Vertx vertx = Vertx.vertx();
    int code = 0;
    try {
      SluiceClient sluice = SluiceClient.connect(vertx, args[0], Integer.parseInt(args[1]))
          .await(30, TimeUnit.SECONDS);
      SluiceClient.Answer a = sluice.invoke(args[2], args[3], args[4], args.length > 5 ? args[5] : null)
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
