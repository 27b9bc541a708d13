package io.sluice.load;

import io.sluice.protocol.Addresses;
import io.sluice.protocol.LoadReport;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's {@link LoadPicture} from the reports every router publishes on {@link Addresses#LOAD}. Every
 * node keeps one: the dashboard reads the picture of the node it is served from, and a new leader judges a rollout
 * from a picture that already holds the window it resumes (no gap after a failover).
 */
public final class LoadVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(LoadVerticle.class);
  private final LoadPicture picture;

  public LoadVerticle(LoadPicture picture) {
    this.picture = picture;
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().<JsonObject>consumer(Addresses.LOAD, m -> {
      try {
        picture.add(LoadReport.fromJson(m.body()), System.currentTimeMillis() / 1000);
      } catch (RuntimeException e) {
        LOG.debug("load report dropped: {}", e.toString());
      }
    }).completion();
  }
}
