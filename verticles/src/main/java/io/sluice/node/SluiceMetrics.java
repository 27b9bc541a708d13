package io.sluice.node;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.ClientMetrics;
import io.vertx.core.spi.metrics.DatagramSocketMetrics;
import io.vertx.core.spi.metrics.EventBusMetrics;
import io.vertx.core.spi.metrics.HttpClientMetrics;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.PoolMetrics;
import io.vertx.core.spi.metrics.TCPMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.backends.BackendRegistries;

/**
 * vertx-micrometer's metrics, with its per-request HTTP server meters replaced by {@link HttpServerMeters} (the same
 * {@code vertx_http_server_*} series, each meter looked up once): in Vert.x 5 vertx-micrometer finds its HTTP server
 * meters in the registry on every request, which was a fifth of the router's event loop under load.
 */
final class SluiceMetrics implements VertxMetricsFactory {
  private final MicrometerMetricsFactory micrometer = new MicrometerMetricsFactory();
  private final String registryName;

  SluiceMetrics(String registryName) {
    this.registryName = registryName;
  }

  @Override
  public VertxMetrics metrics(VertxOptions options) {
    return new Delegating(micrometer.metrics(options), registryName);
  }

  @Override
  public MetricsOptions newOptions() {
    return micrometer.newOptions();
  }

  @Override
  public MetricsOptions newOptions(MetricsOptions options) {
    return micrometer.newOptions(options);
  }

  @Override
  public MetricsOptions newOptions(io.vertx.core.json.JsonObject json) {
    return micrometer.newOptions(json);
  }

  /** Everything as vertx-micrometer does it, but HTTP servers' request meters. */
  private record Delegating(VertxMetrics d, String registryName) implements VertxMetrics {
    @Override
    public HttpServerMetrics<?, ?, ?> createHttpServerMetrics(HttpServerOptions o, SocketAddress address) {
      HttpServerMetrics<?, ?, ?> original = d.createHttpServerMetrics(o, address);
      return original == null ? null : new HttpServerMeters(original, BackendRegistries.getNow(registryName));
    }

    @Override
    public EventBusMetrics createEventBusMetrics() {
      return d.createEventBusMetrics();
    }

    @Override
    public ClientMetrics<?, ?, ?> createClientMetrics(SocketAddress remote, String type, String namespace) {
      return d.createClientMetrics(remote, type, namespace);
    }

    @Override
    public HttpClientMetrics<?, ?, ?> createHttpClientMetrics(HttpClientOptions o) {
      return d.createHttpClientMetrics(o);
    }

    @Override
    public TCPMetrics<?> createNetServerMetrics(NetServerOptions o, SocketAddress address) {
      return d.createNetServerMetrics(o, address);
    }

    @Override
    public TCPMetrics<?> createNetClientMetrics(NetClientOptions o) {
      return d.createNetClientMetrics(o);
    }

    @Override
    public DatagramSocketMetrics createDatagramSocketMetrics(DatagramSocketOptions o) {
      return d.createDatagramSocketMetrics(o);
    }

    @Override
    public PoolMetrics<?, ?> createPoolMetrics(String type, String name, int maxSize) {
      return d.createPoolMetrics(type, name, maxSize);
    }

    @Override
    public void vertxCreated(Vertx vertx) {
      d.vertxCreated(vertx);
    }

    @Override
    public boolean isMetricsEnabled() {
      return d.isMetricsEnabled();
    }

    @Override
    public void close() {
      d.close();
    }
  }
}
