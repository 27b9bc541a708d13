package io.sluice.router;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.protocol.InstanceInfo;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The data plane's Prometheus metrics, per endpoint and deployment, as this router sees them:
 * {@code sluice_requests_total{status, mirror}}, {@code sluice_request_duration_seconds} (histogram),
 * {@code sluice_requests_in_flight}, {@code sluice_queue_wait_seconds} (histogram),
 * {@code sluice_instances{state}}. Meters are created once per label set and kept while the endpoint and
 * deployment exist ({@link #retain}).
 */
final class RouterMetrics {
  /** The endpoint label of requests to a name that is not an endpoint: one series, whatever names callers try. */
  static final String UNKNOWN_ENDPOINT = "(unknown)";

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new HashMap<>();
  private final Map<String, Timer> latency = new HashMap<>();
  private final Map<String, Timer> queueWait = new HashMap<>();
  private final Map<String, int[]> instanceGauges = new ConcurrentHashMap<>();

  RouterMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void inFlightGauge(String endpoint, String deployment, int[] holder) {
    if (registry != null) {
      Gauge.builder("sluice.requests.in.flight", holder, h -> h[0]).tag("endpoint", endpoint)
          .tag("deployment", deployment).description("requests in flight from this router").register(registry);
    }
  }

  void answered(String endpoint, String deployment, int status, boolean mirror, long startNanos) {
    if (registry == null) {
      return;
    }
    String key = endpoint + "\u0000" + deployment + "\u0000" + status + "\u0000" + mirror;
    counters.computeIfAbsent(key, k -> Counter.builder("sluice.requests").tag("endpoint", endpoint)
        .tag("deployment", deployment == null ? "" : deployment).tag("status", String.valueOf(status))
        .tag("mirror", String.valueOf(mirror)).description("scoring requests by answer").register(registry))
        .increment();
    if (!mirror && deployment != null && !deployment.isEmpty()) {
      latency.computeIfAbsent(endpoint + "\u0000" + deployment, k -> Timer.builder("sluice.request.duration")
              .tag("endpoint", endpoint).tag("deployment", deployment).publishPercentileHistogram()
              .minimumExpectedValue(Duration.ofNanos(100_000)).maximumExpectedValue(Duration.ofMinutes(3))
              .description("time from request to answer at the router").register(registry))
          .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }
  }

  private static final String[] COMPARED = {"agreed", "status", "structure", "value", "not_compared"};
  private final Map<String, Counter> comparisons = new HashMap<>();

  /** {@code sluice_mirror_comparisons_total{endpoint, deployment, result}}: how mirrored answers compared. */
  void compared(String endpoint, String deployment, int outcome) {
    if (registry == null) {
      return;
    }
    comparisons.computeIfAbsent(endpoint + "\u0000" + deployment + "\u0000" + outcome, k -> Counter
        .builder("sluice.mirror.comparisons").tag("endpoint", endpoint).tag("deployment", deployment)
        .tag("result", COMPARED[outcome]).description("mirrored answers compared with the live answers")
        .register(registry)).increment();
  }

  void queueWait(String endpoint, String deployment, double millis) {
    if (registry == null) {
      return;
    }
    queueWait.computeIfAbsent(endpoint + "\u0000" + deployment, k -> Timer.builder("sluice.queue.wait")
            .tag("endpoint", endpoint).tag("deployment", deployment).publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofNanos(10_000)).maximumExpectedValue(Duration.ofMinutes(3))
            .description("time a request waited for a free worker in its instance").register(registry))
        .record((long) (millis * 1_000_000), TimeUnit.NANOSECONDS);
  }

  /**
   * Removes every meter of an endpoint not in {@code endpoints} or a deployment not in {@code deployments}
   * ("endpoint/deployment"): a deleted deployment's series leave /metrics, a re-created one starts from zero.
   */
  void retain(Set<String> endpoints, Set<String> deployments) {
    routed = deployments;
    if (registry == null) {
      return;
    }
    for (Meter m : registry.getMeters()) {
      String e = m.getId().getTag("endpoint");
      if (m.getId().getName().startsWith("sluice.") && e != null && gone(e, m.getId().getTag("deployment"), endpoints,
          deployments)) {
        registry.remove(m);
      }
    }
    for (Map<String, ?> cache : List.of(counters, latency, queueWait, comparisons, instanceGauges)) {
      cache.keySet().removeIf(k -> {
        String[] parts = k.split("\u0000", -1);
        return gone(parts[0], parts.length > 1 ? parts[1] : null, endpoints, deployments);
      });
    }
  }

  private static boolean gone(String endpoint, String deployment, Set<String> endpoints, Set<String> deployments) {
    if (endpoint.equals(UNKNOWN_ENDPOINT)) {
      return false;
    }
    return !endpoints.contains(endpoint) || (deployment != null && !deployment.isEmpty()
        && !deployments.contains(endpoint + "/" + deployment));
  }

  /** The deployments routed to ("endpoint/deployment"): instances of others (going, not yet routed) get no gauge. */
  private Set<String> routed = Set.of();

  /** Instances by state from this router's view of the cluster; states not seen now read 0. */
  void instances(Iterable<InstanceInfo> observed) {
    if (registry == null) {
      return;
    }
    instanceGauges.values().forEach(h -> h[0] = 0);
    for (InstanceInfo i : observed) {
      if (!routed.contains(i.endpoint() + "/" + i.deployment())) {
        continue;
      }
      String key = i.endpoint() + "\u0000" + i.deployment() + "\u0000" + i.state();
      instanceGauges.computeIfAbsent(key, k -> {
        int[] h = new int[1];
        Gauge.builder("sluice.instances", h, x -> x[0]).tag("endpoint", i.endpoint())
            .tag("deployment", i.deployment()).tag("state", i.state().name())
            .description("scorer instances by state").register(registry);
        return h;
      })[0]++;
    }
  }
}
