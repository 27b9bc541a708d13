package io.sluice.it;

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
 * its router and status (or error) for the test's message.
 */
final class BalancedLoad implements AutoCloseable {
  private final List<NodeProcess> routers;
  private final String path;
  private final Map<String, String> headers;
  private final String body;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(5);
  private final Set<NodeProcess> up = ConcurrentHashMap.newKeySet();
  private final AtomicInteger next = new AtomicInteger();
  final AtomicLong answered = new AtomicLong();
  final List<String> failures = new CopyOnWriteArrayList<>();
  final Map<String, AtomicLong> perRouter = new ConcurrentHashMap<>();

  /** {@code clients} requests at a time, each client one request per {@code periodMs} at most. */
  BalancedLoad(List<NodeProcess> routers, String path, Map<String, String> headers, String body) {
    this.routers = routers;
    this.path = path;
    this.headers = headers;
    this.body = body;
  }

  BalancedLoad start(int clients, long periodMs) {
    checkHealth();
    timers.scheduleWithFixedDelay(this::checkHealth, 200, 200, TimeUnit.MILLISECONDS);
    for (int c = 0; c < clients; c++) {
      timers.scheduleAtFixedRate(this::once, c, periodMs, TimeUnit.MILLISECONDS);
    }
    return this;
  }

  /** Whether the balancer sends to {@code node} now. */
  boolean inRotation(NodeProcess node) {
    return up.contains(node);
  }

  private void checkHealth() {
    for (NodeProcess n : routers) {
      boolean healthy;
      try {
        healthy = n.health().contains("\"status\":\"UP\"");
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
    List<NodeProcess> choices = new ArrayList<>(up);
    if (choices.isEmpty()) {
      failures.add("no router in rotation");
      return;
    }
    NodeProcess target = choices.get(Math.floorMod(next.getAndIncrement(), choices.size()));
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(target.url() + path)).timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(req::header);
    try {
      HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        answered.incrementAndGet();
        perRouter.computeIfAbsent(target.url(), k -> new AtomicLong()).incrementAndGet();
      } else {
        failures.add(target.url() + ": " + r.statusCode() + " " + r.body());
      }
    } catch (Exception e) {
      failures.add(target.url() + ": " + e);
    }
  }

  String summary() {
    return answered.get() + " answered by " + perRouter + "; " + failures.size() + " failed"
        + (failures.isEmpty() ? "" : ", first: " + failures.subList(0, Math.min(5, failures.size())));
  }

  @Override
  public void close() throws InterruptedException {
    timers.shutdown();
    timers.awaitTermination(60, TimeUnit.SECONDS);
  }
}
