package io.sluice.node;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Vert.x's {@code vertx_http_server_*} request series ({@code requests_total}, {@code response_time_seconds},
 * {@code request_bytes}, {@code response_bytes}, {@code active_requests}, {@code request_resets_total}, labelled
 * by method and code as vertx-micrometer labels them), with every meter made once and kept. The connection-level
 * series stay vertx-micrometer's own ({@code tcp}). Methods outside HTTP's nine share {@code method="OTHER"}: a
 * caller cannot grow the series with made-up methods. Called from any event loop: the tables are concurrent.
 */
@SuppressWarnings({"rawtypes", "unchecked"})
final class HttpServerMeters implements HttpServerMetrics<HttpServerMeters.Request, Object, Object> {
  private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS",
      "TRACE", "CONNECT");

  private final HttpServerMetrics tcp;
  private final MeterRegistry registry;
  private final Map<String, PerMethod> byMethod = new ConcurrentHashMap<>();

  HttpServerMeters(HttpServerMetrics<?, ?, ?> tcp, MeterRegistry registry) {
    this.tcp = tcp;
    this.registry = registry;
  }

  /** One request from its beginning: which method's meters, when it began, whether it was counted out yet. */
  static final class Request {
    final PerMethod meters;
    final long startNanos = System.nanoTime();
    boolean done;

    Request(PerMethod meters) {
      this.meters = meters;
    }
  }

  /** The meters of one method; those by status code are made on first use (codes are 100–599). */
  final class PerMethod {
    final String method;
    final AtomicLong active = new AtomicLong();
    final DistributionSummary requestBytes;
    final Counter resets;
    final AtomicReferenceArray<ByCode> byCode = new AtomicReferenceArray<>(600);

    PerMethod(String method) {
      this.method = method;
      Gauge.builder("vertx.http.server.active.requests", active, AtomicLong::get).tag("method", method)
          .description("Number of requests being processed").strongReference(true).register(registry);
      requestBytes = DistributionSummary.builder("vertx.http.server.request.bytes").tag("method", method)
          .description("Size of requests in bytes").register(registry);
      resets = Counter.builder("vertx.http.server.request.resets").tag("method", method)
          .description("Number of request resets").register(registry);
    }

    ByCode code(int status) {
      int i = status >= 100 && status < 600 ? status : 500;
      ByCode b = byCode.get(i);
      if (b == null) {
        String code = String.valueOf(i);
        b = new ByCode(Counter.builder("vertx.http.server.requests").tags("code", code, "method", method)
            .description("Number of processed requests").register(registry),
            Timer.builder("vertx.http.server.response.time").tags("code", code, "method", method)
                .description("Request processing time").register(registry),
            DistributionSummary.builder("vertx.http.server.response.bytes").tags("code", code, "method", method)
                .description("Size of responses in bytes").register(registry));
        byCode.compareAndSet(i, null, b); // two loops making it at once register the same meters: either is kept
      }
      return byCode.get(i);
    }
  }

  record ByCode(Counter requests, Timer time, DistributionSummary responseBytes) {
  }

  private PerMethod meters(HttpMethod method) {
    String name = method == null ? "OTHER" : method.name();
    return byMethod.computeIfAbsent(METHODS.contains(name) ? name : "OTHER", PerMethod::new);
  }

  @Override
  public Request requestBegin(Object socket, HttpRequest request) {
    Request r = new Request(meters(request.method()));
    r.meters.active.incrementAndGet();
    return r;
  }

  @Override
  public void requestEnd(Request r, HttpRequest request, long bytesRead) {
    if (r != null) {
      r.meters.requestBytes.record(bytesRead);
    }
  }

  @Override
  public void responseEnd(Request r, HttpResponse response, long bytesWritten) {
    if (r == null) {
      return;
    }
    ByCode b = r.meters.code(response.statusCode());
    b.requests().increment();
    b.time().record(System.nanoTime() - r.startNanos, TimeUnit.NANOSECONDS);
    b.responseBytes().record(bytesWritten);
    finished(r);
  }

  @Override
  public void requestReset(Request r) {
    if (r != null) {
      r.meters.resets.increment();
      finished(r);
    }
  }

  private static void finished(Request r) {
    if (!r.done) {
      r.done = true;
      r.meters.active.decrementAndGet();
    }
  }

  @Override
  public Object connected(SocketAddress remote, String remoteName) {
    return tcp.connected(remote, remoteName);
  }

  @Override
  public void disconnected(Object socket, SocketAddress remote) {
    tcp.disconnected(socket, remote);
  }

  @Override
  public void bytesRead(Object socket, SocketAddress remote, long n) {
    tcp.bytesRead(socket, remote, n);
  }

  @Override
  public void bytesWritten(Object socket, SocketAddress remote, long n) {
    tcp.bytesWritten(socket, remote, n);
  }

  @Override
  public void exceptionOccurred(Object socket, SocketAddress remote, Throwable t) {
    tcp.exceptionOccurred(socket, remote, t);
  }

  @Override
  public void close() {
    tcp.close();
  }
}
