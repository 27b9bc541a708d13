package io.sluice.load;

import io.sluice.protocol.Addresses;
import io.sluice.protocol.LoadDigest;
import io.sluice.protocol.LoadReport;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's {@link LoadPicture}, and is a load hub: the routers send their reports of each second to the
 * oldest node ({@link Addresses#loadHub}); a hub merges what it hears into its own picture at once and publishes it,
 * merged, once a second ({@link Addresses#LOAD}, a {@link LoadDigest}); every other node adds the digests. Every
 * node keeps a picture: the dashboard reads the picture of the node it is served from, and a new leader judges a
 * rollout from a picture that already holds the window it resumes (no gap after a failover). Any node hubs what it
 * is sent: while routers disagree on the oldest node (a member just came or went) two hubs publish, each its own
 * routers' part, and nothing is lost or counted twice. Both addresses take only nodes' messages
 * ({@code auth.ControlGuard}).
 */
public final class LoadVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(LoadVerticle.class);
  private final LoadPicture picture;
  private final String nodeId;
  private final DigestBuilder digest = new DigestBuilder();
  private long timer = -1;

  public LoadVerticle(String nodeId, LoadPicture picture) {
    this.nodeId = nodeId;
    this.picture = picture;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(1000, t -> publishDigest());
    return Future.all(hearRouters(), hearHubs());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    publishDigest(); // what this hub heard last is not lost with it
    return Future.succeededFuture();
  }

  /** Routers' reports of a second, sent to this node as their hub: into the picture now, into the next digest. */
  private Future<Void> hearRouters() {
    return vertx.eventBus().<JsonObject>consumer(Addresses.loadHub(nodeId), m -> {
      try {
        LoadReport r = LoadReport.fromJson(m.body());
        List<Histogram> latencies = LoadPicture.latencies(r);
        picture.add(r, latencies, System.currentTimeMillis() / 1000);
        digest.add(r, latencies);
      } catch (RuntimeException e) {
        LOG.debug("load report dropped: {}", e.toString());
      }
    }).completion();
  }

  /** Other hubs' digests (this node's own went into its picture report by report). */
  private Future<Void> hearHubs() {
    return vertx.eventBus().<JsonObject>consumer(Addresses.LOAD, m -> {
      try {
        LoadDigest d = LoadDigest.fromJson(m.body());
        if (!nodeId.equals(d.hub())) {
          long now = System.currentTimeMillis() / 1000;
          d.seconds().forEach(r -> picture.add(r, now));
        }
      } catch (RuntimeException e) {
        LOG.debug("load digest dropped: {}", e.toString());
      }
    }).completion();
  }

  private void publishDigest() {
    if (!digest.isEmpty()) {
      vertx.eventBus().publish(Addresses.LOAD, digest.drain(nodeId).toJson());
    }
  }
}
