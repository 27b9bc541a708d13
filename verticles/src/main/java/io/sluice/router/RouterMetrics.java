package io.sluice.router;

import io.sluice.mirror.AnswerComparison;
import java.util.EnumMap;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.load.PerDeployment;
import io.sluice.protocol.DeploymentKey;
import io.sluice.protocol.InstanceInfo;
import io.sluice.protocol.InstanceState;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The data plane's Prometheus metrics, per endpoint and deployment, as this router sees them:
 * {@code sluice_requests_total{status, mirror}}, {@code sluice_request_duration_seconds} (histogram),
 * {@code sluice_requests_in_flight}, {@code sluice_queue_wait_seconds} (histogram),
 * {@code sluice_time_to_first_byte_seconds} (histogram, streamed answers),
 * {@code sluice_instances{state}}. Meters are created once per label set and kept while the endpoint and
 * deployment exist ({@link #retain}).
 */
final class RouterMetrics {
  /** The endpoint label of requests to a name that is not an endpoint: one series, whatever names callers try. */
  static final String UNKNOWN_ENDPOINT = "(unknown)";

  private final MeterRegistry registry;
  /** Looked up by the two names per request: no key string is built on the request path. */
  private final PerDeployment<Meters> meters = new PerDeployment<>();
  private final Map<InstanceSeries, int[]> instanceGauges = new ConcurrentHashMap<>();

  RouterMetrics(MeterRegistry registry) {
    this.registry = registry;
  }


  /** One deployment's meters, each made when first needed. Statuses are 100–599. */
  private final class Meters {
    final String endpoint;
    final String deployment;
    final Counter[] live = new Counter[600];
    final Counter[] mirror = new Counter[600];
    final EnumMap<AnswerComparison.Kind, Counter> compared = new EnumMap<>(AnswerComparison.Kind.class);
    Timer latency;
    Timer queueWait;
    Timer firstByte;

    Meters(String endpoint, String deployment) {
      this.endpoint = endpoint;
      this.deployment = deployment;
    }

    Counter answers(int status, boolean mirrored) {
      Counter[] by = mirrored ? mirror : live;
      int i = status >= 100 && status < 600 ? status : 500;
      if (by[i] == null) {
        by[i] = Counter.builder("sluice.requests").tag("endpoint", endpoint).tag("deployment", deployment)
            .tag("status", String.valueOf(i)).tag("mirror", String.valueOf(mirrored))
            .description("scoring requests by answer").register(registry);
      }
      return by[i];
    }

    Timer latency() {
      if (latency == null) {
        latency = Timer.builder("sluice.request.duration").tag("endpoint", endpoint).tag("deployment", deployment)
            .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(100_000))
            .maximumExpectedValue(Duration.ofMinutes(3)).description("time from request to answer at the router")
            .register(registry);
      }
      return latency;
    }

    Timer firstByte() {
      if (firstByte == null) {
        firstByte = Timer.builder("sluice.time.to.first.byte").tag("endpoint", endpoint).tag("deployment", deployment)
            .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(100_000))
            .maximumExpectedValue(Duration.ofMinutes(3))
            .description("time from request to the first chunk of a streamed answer at the router").register(registry);
      }
      return firstByte;
    }

    Timer queueWait() {
      if (queueWait == null) {
        queueWait = Timer.builder("sluice.queue.wait").tag("endpoint", endpoint).tag("deployment", deployment)
            .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(10_000))
            .maximumExpectedValue(Duration.ofMinutes(3))
            .description("time a request waited for a free worker in its instance").register(registry);
      }
      return queueWait;
    }

    Counter compared(AnswerComparison.Kind outcome) {
      return compared.computeIfAbsent(outcome, k -> Counter.builder("sluice.mirror.comparisons")
          .tag("endpoint", endpoint).tag("deployment", deployment).tag("result", k.label())
          .description("mirrored answers compared with the live answers").register(registry));
    }
  }

  private Meters meters(String endpoint, String deployment) {
    return meters.computeIfAbsent(endpoint, deployment == null ? "" : deployment, Meters::new);
  }

  /**
   * {@code sluice_channels}: this router's ready connections to other nodes' scoring channels;
   * {@code sluice_channel_calls_total}: the calls (requests and mirror copies) it sent through them.
   */
  void channels(java.util.function.IntSupplier ready, java.util.function.LongSupplier calls) {
    channelCalls = calls;
    if (registry != null) {
      // strong references: the suppliers are method references nobody else holds (Micrometer keeps weak ones)
      Gauge.builder("sluice.channels", ready, s -> s.getAsInt()).strongReference(true)
          .description("ready connections from this router to other nodes' scoring channels").register(registry);
      io.micrometer.core.instrument.FunctionCounter.builder("sluice.channel.calls", calls, s -> s.getAsLong())
          .description("calls sent through the scoring channels").register(registry);
    }
  }

  /** Held here: Micrometer keeps only a weak reference to a function counter's state. */
  private java.util.function.LongSupplier channelCalls;

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
    Meters m = meters(endpoint, deployment);
    m.answers(status, mirror).increment();
    if (!mirror && !m.deployment.isEmpty()) {
      m.latency().record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }
  }

  /** {@code sluice_mirror_comparisons_total{endpoint, deployment, result}}: how mirrored answers compared. */
  void compared(String endpoint, String deployment, AnswerComparison.Kind outcome) {
    if (registry != null) {
      meters(endpoint, deployment).compared(outcome).increment();
    }
  }

  /** {@code sluice_time_to_first_byte_seconds{endpoint, deployment}}: a streamed answer's first chunk. */
  void firstByte(String endpoint, String deployment, long nanos) {
    if (registry != null) {
      meters(endpoint, deployment).firstByte().record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  void queueWait(String endpoint, String deployment, double millis) {
    if (registry != null) {
      meters(endpoint, deployment).queueWait().record((long) (millis * 1_000_000), TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Removes every meter of an endpoint not in {@code endpoints} or a deployment not in {@code deployments}
   * : a deleted deployment's series leave /metrics, a re-created one starts from zero.
   */
  void retain(Set<String> endpoints, Set<DeploymentKey> deployments) {
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
    meters.removeIf((e, d) -> gone(e, d, endpoints, deployments));
    instanceGauges.keySet().removeIf(k -> gone(k.deployment().endpoint(), k.deployment().deployment(), endpoints,
        deployments));
  }

  private static boolean gone(String endpoint, String deployment, Set<String> endpoints,
                              Set<DeploymentKey> deployments) {
    if (endpoint.equals(UNKNOWN_ENDPOINT)) {
      return false;
    }
    return !endpoints.contains(endpoint) || (deployment != null && !deployment.isEmpty()
        && !deployments.contains(new DeploymentKey(endpoint, deployment)));
  }

  /** The deployments routed to: instances of others (going, not yet routed) get no gauge. */
  private Set<DeploymentKey> routed = Set.of();

  /** One gauge of {@code sluice_instances}: a deployment's instances in one state. */
  private record InstanceSeries(DeploymentKey deployment, InstanceState state) {
  }

  /** Instances by state from this router's view of the cluster; states not seen now read 0. */
  void instances(Iterable<InstanceInfo> observed) {
    if (registry == null) {
      return;
    }
    instanceGauges.values().forEach(h -> h[0] = 0);
    for (InstanceInfo i : observed) {
      DeploymentKey d = new DeploymentKey(i.endpoint(), i.deployment());
      if (!routed.contains(d)) {
        continue;
      }
      InstanceSeries key = new InstanceSeries(d, i.state());
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
