package io.sluice.scale;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Scores against every router back to back (one request in flight per router) and remembers which deployment
 * answered each request and when it was sent: from that, {@link #switchedAt} tells when a router began routing by
 * a new traffic split. Black-box on purpose: the router's own answer is what a client sees.
 */
final class RouterWatch implements AutoCloseable {
  /** One answer: when its request was sent (ms, System.currentTimeMillis) and which deployment answered. */
  record Seen(long sentMs, String deployment) {
  }

  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
      new PoolOptions().setHttp1MaxSize(1));
  private final List<List<Seen>> seen = new ArrayList<>();
  private volatile boolean running = true;

  RouterWatch(List<String> routerUrls, String endpoint, String key) {
    for (String url : routerUrls) {
      List<Seen> mine = new ArrayList<>();
      seen.add(mine);
      URI u = URI.create(url);
      RequestOptions req = new RequestOptions().setMethod(HttpMethod.POST).setHost(u.getHost()).setPort(u.getPort())
          .setURI("/endpoints/" + endpoint + "/score").putHeader("Authorization", "Bearer " + key)
          .putHeader("Content-Type", "application/json");
      vertx.runOnContext(x -> next(req, mine));
    }
  }

  private void next(RequestOptions req, List<Seen> mine) {
    if (!running) {
      return;
    }
    long sent = System.currentTimeMillis();
    http.request(req).compose(r -> r.send(Buffer.buffer("{\"data\": [[1, 2, 3]]}")))
        .compose(resp -> resp.body().map(b -> resp.getHeader("azureml-model-deployment")))
        .onComplete(ar -> {
          synchronized (mine) {
            mine.add(new Seen(sent, ar.succeeded() ? ar.result() : null));
          }
          vertx.setTimer(2, t -> next(req, mine)); // ~1 request per router per 3 ms: resolution, not load
        });
  }

  /**
   * Where a router switched for good: between the last request an other deployment answered ({@code lastOld}, -1
   * if none since the change) and the first of the run of answers from the new one that lasts until now
   * ({@code firstNew}, -1 if the router has not switched).
   */
  record Switched(long lastOld, long firstNew) {
    boolean done() {
      return firstNew >= 0;
    }
  }

  /** For each router, where it switched to {@code deployment}, looking at requests sent from {@code fromMs} on. */
  List<Switched> switchedAt(String deployment, long fromMs, long untilMs) {
    List<Switched> out = new ArrayList<>();
    for (List<Seen> mine : seen) {
      List<Seen> window;
      synchronized (mine) {
        window = mine.stream().filter(s -> s.sentMs() >= fromMs && s.sentMs() <= untilMs).toList();
      }
      out.add(Switch.at(window, deployment));
    }
    return out;
  }

  /** Drops what was seen before {@code ms}: a long run keeps only the current trial's answers. */
  void forgetBefore(long ms) {
    for (List<Seen> mine : seen) {
      synchronized (mine) {
        mine.removeIf(s -> s.sentMs() < ms);
      }
    }
  }

  @Override
  public void close() {
    running = false;
    vertx.close();
  }

  /** Pure: where a sequence of answers switched to one deployment for good. */
  static final class Switch {
    private Switch() {
    }

    static Switched at(List<Seen> window, String deployment) {
      long lastOld = -1;
      long firstNew = -1;
      for (Seen s : window) {
        if (deployment.equals(s.deployment())) {
          if (firstNew < 0) {
            firstNew = s.sentMs();
          }
        } else {
          lastOld = s.sentMs();
          firstNew = -1;
        }
      }
      return new Switched(lastOld, firstNew);
    }
  }
}
