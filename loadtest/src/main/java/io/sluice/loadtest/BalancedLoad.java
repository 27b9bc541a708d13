package io.sluice.loadtest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Steady load through what a load balancer in front of the routers does: each request goes to the next router whose
 * {@code /healthz} said UP at its last check (every 200 ms), so a router that is drained or stopping leaves the
 * rotation and comes back when it is UP again. Every answer is counted; anything but a 200 is a failure, kept with
 * its router and status (or error). For the rolling-upgrade test and {@code loadtest/upgrade-bench.sh} (its main:
 * runs until SIGTERM, then prints its summary as JSON).
 */
public final class BalancedLoad implements AutoCloseable {
  private final List<String> routers;
  private final String path;
  private final Map<String, String> headers;
  private final String body;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(5);
  private final Set<String> up = ConcurrentHashMap.newKeySet();
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicLong answered = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicLong> perRouter = new ConcurrentHashMap<>();

  /** {@code routers}: their base URLs ("http://host:port"). */
  public BalancedLoad(List<String> routers, String path, Map<String, String> headers, String body) {
    this.routers = routers;
    this.path = path;
    this.headers = headers;
    this.body = body;
  }

  /** {@code clients} requests at a time, each client one request per {@code periodMs} at most. */
  public BalancedLoad start(int clients, long periodMs) {
    checkHealth();
    timers.scheduleWithFixedDelay(this::checkHealth, 200, 200, TimeUnit.MILLISECONDS);
    for (int c = 0; c < clients; c++) {
      timers.scheduleAtFixedRate(this::once, c, periodMs, TimeUnit.MILLISECONDS);
    }
    return this;
  }

  /** Whether the balancer sends to the router at {@code url} now. */
  public boolean inRotation(String url) {
    return up.contains(url);
  }

  public long answered() {
    return answered.get();
  }

  public List<String> failures() {
    return List.copyOf(failures);
  }

  private void checkHealth() {
    for (String n : routers) {
      boolean healthy;
      try {
        healthy = http.send(HttpRequest.newBuilder(URI.create(n + "/healthz")).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
      } catch (Exception e) {
        healthy = false;
      }
      if (healthy) {
        up.add(n);
      } else {
        up.remove(n);
      }
    }
  }

  private void once() {
    List<String> choices = new ArrayList<>(up);
    if (choices.isEmpty()) {
      fail("no router in rotation");
      return;
    }
    String target = choices.get(Math.floorMod(next.getAndIncrement(), choices.size()));
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(target + path)).timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(req::header);
    try {
      HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        answered.incrementAndGet();
        perRouter.computeIfAbsent(target, k -> new AtomicLong()).incrementAndGet();
      } else {
        fail(target + ": " + r.statusCode() + " " + r.body());
      }
    } catch (Exception e) {
      fail(target + ": " + e);
    }
  }

  /** Every failure is counted; the first 1000 are kept with their words. */
  private void fail(String what) {
    failed.incrementAndGet();
    if (failures.size() < 1000) {
      failures.add(what);
    }
  }

  public long failed() {
    return failed.get();
  }

  public String summary() {
    return answered.get() + " answered by " + perRouter + "; " + failed.get() + " failed"
        + (failures.isEmpty() ? "" : ", first: " + failures.subList(0, Math.min(5, failures.size())));
  }

  /**
   * {@code BalancedLoad PATH KEY BODY CLIENTS PERIOD_MS URL...}: runs until SIGTERM, then prints
   * {"answered", "failed", "failures"} (the first 20 failures) as JSON.
   */
  public static void main(String[] args) throws Exception {
    BalancedLoad load = new BalancedLoad(List.of(args).subList(5, args.length), args[0],
        Map.of("Authorization", "Bearer " + args[1], "Content-Type", "application/json"), args[2])
        .start(Integer.parseInt(args[3]), Long.parseLong(args[4]));
    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        load.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      io.vertx.core.json.JsonArray first = new io.vertx.core.json.JsonArray();
      load.failures().stream().limit(20).forEach(first::add);
      System.out.println(new io.vertx.core.json.JsonObject().put("answered", load.answered()).put("failed",
          load.failed()).put("failures", first).encode());
      System.out.flush();
      done.countDown();
    }));
    done.await();
  }

  @Override
  public void close() throws InterruptedException {
    timers.shutdown();
    timers.awaitTermination(60, TimeUnit.SECONDS);
  }
}
