package io.sluice.scoring;

import io.sluice.auth.SignedMap;
import io.sluice.node.NodeInfo;
import io.sluice.protocol.Addresses;
import io.sluice.protocol.Answer;
import io.sluice.protocol.BusAnswers;
import io.sluice.protocol.Streams;
import io.sluice.protocol.Hop;
import io.sluice.protocol.SafeIds;
import io.sluice.protocol.ClusterCalls;
import io.sluice.protocol.DeploymentDoc;
import io.sluice.protocol.InstanceInfo;
import io.sluice.protocol.Events;
import io.sluice.protocol.Headers;
import io.sluice.protocol.HttpParts;
import io.sluice.protocol.InstanceState;
import io.sluice.protocol.RequestSettings;
import io.sluice.protocol.Routers;
import io.sluice.scorer.ScoreRequest;
import io.sluice.scorer.Scorer;
import io.sluice.scorer.ScorerSpec;
import io.sluice.scorer.Scorers;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One instance of one deployment. Unpacks the model and code, starts the runtime (init()), then serves
 * {@code sluice.scorer.<instanceId>}. It writes its own state to the instances map and publishes it, so routers
 * add it when Ready and drop it when Draining. Stopping drains: no new requests, then waits for those in flight.
 */
public final class ScorerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ScorerVerticle.class);

  private final NodeInfo node;
  private final Artifacts cache;
  /** The node's registry of its instances: local routers and the scoring channel call this one directly. */
  private final LocalInstances locals;
  private final io.micrometer.core.instrument.MeterRegistry registry;
  /** sluice_batch_size of this instance; null unless its deployment batches. */
  private BatchMeter batches;
  /** Replaced (never changed) at each state change; read from any thread by local routers. */
  private volatile InstanceInfo instance;
  private DeploymentDoc deployment;
  private volatile Scorer scorer;
  /** GET swagger.json: the code folder's own document once it is unpacked, the generated one until then. */
  private volatile SwaggerDocument swagger;
  private InstanceLog log;
  /** The deployment's data_collector payloads, when it collects them. */
  private volatile io.sluice.collect.InstanceCollector collector;
  private AsyncMap<String, JsonObject> instances;
  /** Requests taken and not answered; counted from any thread (local routers call in directly). */
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile Promise<Void> drained;
  /** Set when stopping, once every router acknowledged the drain: from then on an empty instance is drained. */
  private volatile boolean acknowledged;
  /** Set once drained, before the runtime stops: anything that still arrives came from a stale view (503). */
  private volatile boolean closing;
  /** Set when stop() begins; guarded by this object's lock with {@code scorer}, against boot(). */
  private boolean stopping;
  /** The instance state, readable from any thread. */
  private volatile InstanceState state = InstanceState.Provisioning;
  private long healthTimer = -1;
  private long reassert = -1;
  private boolean reasserting;
  /** When this instance last wrote its entry again ({@link Reassertion}). */
  private long reassertedAt;
  /** False while the last state write failed (a cluster map that timed out): the re-assert then writes it again. */
  private boolean stateWritten = true;

  /** Where an instance's code and model come from: uploaded files unpacked to local folders ({@link ArtifactCache}). */
  @FunctionalInterface
  public interface Artifacts {
    /** The local folder of uploaded file {@code fileId}; may take a while (it unpacks on first use). */
    Path materialize(String fileId) throws Exception;
  }

  public ScorerVerticle(NodeInfo node, Artifacts cache, LocalInstances locals) {
    this(node, cache, locals, null);
  }

  /** {@code registry}: the node's metrics (sluice_batch_size), or null. */
  public ScorerVerticle(NodeInfo node, Artifacts cache, LocalInstances locals,
                        io.micrometer.core.instrument.MeterRegistry registry) {
    this.node = node;
    this.cache = cache;
    this.locals = locals;
    this.registry = registry;
  }

  public static Path logFile(NodeInfo node, String instanceId) {
    if (!SafeIds.instanceId(instanceId)) {
      throw new IllegalArgumentException("not an instance id: " + instanceId);
    }
    return node.nodeDir().resolve("logs").resolve(instanceId + ".log");
  }

  @Override
  public Future<?> start() {
    instance = InstanceInfo.fromJson(config().getJsonObject("instance"));
    deployment = DeploymentDoc.fromJson(config().getJsonObject("deployment"));
    swagger = SwaggerDocument.generatedFor(deployment.endpoint(), deployment.name());
    batches = BatchMeter.of(registry, instance, deployment.requestSettings().maxBatchSize());
    String id = instance.id();
    return SignedMap.of(vertx, Addresses.INSTANCES_MAP)
        .compose(m -> {
          instances = m;
          return setState(InstanceState.Starting, null);
        })
        .compose(v -> vertx.eventBus().<Buffer>consumer(Addresses.scorer(id), this::score).completion())
        // the log opens last, so no step after it can fail and leave its thread and file behind
        .compose(v -> openLog(id))
        .onSuccess(v -> collector = io.sluice.collect.InstanceCollector.of(node.home(), deployment, id, registry))
        .onSuccess(v -> locals.register(id, this::score))
        .onSuccess(v -> {
          boot();
          reassertPeriodically();
        })
        // a start that fails leaves nothing open behind it: not the log's thread, not its file
        .recover(err -> closeLog("start failed: " + err.getMessage()).transform(x -> Future.failedFuture(err)));
  }

  private Future<Void> openLog(String id) {
    return vertx.executeBlocking(() -> {
      log = new InstanceLog(logFile(node, id));
      log.line(Instant.now() + " sluice: instance " + id + " of " + instance.deploymentKey()
          + " (spec version " + instance.specVersion() + ") starting on node " + node.name());
      return null;
    }, false);
  }

  private Future<Void> closeLog(String why) {
    return vertx.executeBlocking(() -> {
      if (log != null) {
        log.line(Instant.now() + " sluice: instance " + why);
        log.close();
      }
      return null;
    }, false);
  }

  /**
   * After a network split heals, the leader may have forgotten this instance: say again that it exists, so that
   * the leader sees it and stops what is surplus (no duplicate outlives a split); when: {@link Reassertion}.
   */
  private void reassertPeriodically() {
    reassertedAt = Reassertion.spreadStart(System.currentTimeMillis(), java.util.concurrent.ThreadLocalRandom.current());
    reassert = vertx.setPeriodic(Reassertion.TICK_MS, t -> {
      long now = System.currentTimeMillis();
      if (drained == null && !reasserting && Reassertion.due(now, reassertedAt, locals.memberJoinedAt(), stateWritten)) {
        reasserting = true; // one at a time: a map that hangs must not collect a call every tick
        reassertedAt = now;
        InstanceInfo mine = instance;
        Future<?> write = stateWritten ? instances.putIfAbsent(mine.id(), mine.toJson())
            : instances.put(mine.id(), mine.toJson()).onSuccess(x -> stateWritten = mine == instance);
        ClusterCalls.bounded(write, "re-assert").onComplete(ar -> reasserting = false);
      }
    });
  }

  /**
   * Unpack and init() in the background (all of it on a worker thread: unpacking, and the runtime's start, which
   * reads cgroup and /proc files): the verticle is deployed at once; the state tells the rest. An instance stopped
   * meanwhile ({@link #stop} has begun) starts nothing and writes no state: stop() closes what boot made.
   */
  private void boot() {
    Context ctx = vertx.getOrCreateContext();
    vertx.executeBlocking(() -> {
      DeploymentDoc.Resolved resolved = deployment.resolved();
      Path code = cache.materialize(resolved.codeFile());
      swagger = SwaggerDocument.of(code, deployment.endpoint(), deployment.name());
      Path model = resolved.modelFile() == null ? null : cache.materialize(resolved.modelFile());
      Scorer made = Scorers.create(spec(code, model));
      synchronized (this) { // against stop(): a scorer made after stop() began is closed here, never started
        if (stopping) {
          made.close();
          throw new IllegalStateException("stopped while booting");
        }
        scorer = made;
      }
      return made.start();
    }, false).compose(started -> Future.fromCompletionStage(started, ctx)).onComplete(ar -> {
      if (drained != null) {
        return; // stopped meanwhile: the map entry is gone or going; stop() closes the scorer
      }
      if (ar.succeeded()) {
        log.line(Instant.now() + " sluice: instance ready");
        setState(InstanceState.Ready, null);
        // workers restart by themselves; while none is ready the instance leaves the routing table
        scorer.onHealthChange(() -> ctx.runOnContext(x -> checkHealth()));
        healthTimer = vertx.setPeriodic(500, t -> checkHealth());
      } else {
        String reason = ar.cause().getMessage();
        log.line(Instant.now() + " sluice: instance failed: " + reason);
        LOG.warn("instance {} failed: {}", instance.id(), reason);
        setState(InstanceState.Failed, reason);
      }
    });
  }

  /** What the runtime is asked for (RuntimeSpec); the collector's drops counted once it exists. */
  private ScorerSpec spec(Path code, Path model) {
    return RuntimeSpec.of(deployment, code, model, config(), node.home(), instance.id(), batches, log::line,
        (collection, n) -> {
          io.sluice.collect.InstanceCollector c = collector;
          if (c != null) {
            c.scriptDropped(collection, n);
          }
        });
  }

  /** Follows the runtime: no ready worker takes the instance out of routing; all failing marks it Failed. */
  private void checkHealth() {
    if (scorer == null || drained != null || state == InstanceState.Failed) {
      return;
    }
    if (!scorer.alive()) {
      log.line(Instant.now() + " sluice: the workers keep failing to start; instance failed");
      vertx.cancelTimer(healthTimer);
      setState(InstanceState.Failed, "the scoring workers keep failing to start again (see get-logs)");
    } else if (!scorer.healthy() && state == InstanceState.Ready) {
      setState(InstanceState.Restarting, "replacing its scoring workers");
    } else if (scorer.healthy() && state == InstanceState.Restarting) {
      setState(InstanceState.Ready, null);
    }
  }

  private void score(Message<Buffer> msg) {
    Map<String, String> headers = new HashMap<>();
    msg.headers().forEach(e -> {
      if (e.getKey().startsWith(Headers.FORWARDED_PREFIX)) {
        headers.put(e.getKey().substring(Headers.FORWARDED_PREFIX.length()), e.getValue());
      }
    });
    HttpParts http = new HttpParts(msg.headers().get(Headers.METHOD), msg.headers().get(Headers.PATH),
        msg.headers().get(Headers.QUERY), headers);
    Context ctx = vertx.getOrCreateContext();
    score(msg.headers().get(Headers.REQUEST_ID), msg.body().getBytes(), http,
        msg.headers().contains(Headers.REDIRECTABLE))
        .whenComplete((a, err) -> Hop.to(ctx, () -> BusAnswers.reply(msg, a != null ? a : Answer.failure(err))));
  }

  /**
   * The one door to this instance, for the event bus, local routers and the scoring channel alike (so any thread
   * may call it), and the one place where the runtime's result becomes an {@link Answer}. Draining or restarting
   * instances still take what routers sent before they learnt of it: the runtime's queue holds it until a worker is
   * free, within max_queue_wait_ms.
   */
  private CompletionStage<Answer> score(String requestId, byte[] body, HttpParts http, boolean redirectable) {
    Scorer s = scorer;
    InstanceState st = state;
    if (closing) {
      // drained: every router acknowledged and nothing is in flight; a request now comes from a stale view
      return CompletableFuture.completedFuture(new Answer.NeverRan("instance " + instance.id() + " has drained"));
    }
    if (s == null || !s.alive() || st == InstanceState.Failed || (redirectable && !s.healthy())) {
      return CompletableFuture.completedFuture(new Answer.NeverRan("instance " + instance.id() + " is " + st
          + (s != null && !s.healthy() ? " (no ready worker)" : "")));
    }
    if (http.swagger()) {
      return CompletableFuture.completedFuture(Answer.of(swagger.answer(http.query())));
    }
    inFlight.incrementAndGet();
    io.sluice.collect.InstanceCollector c = collector;
    long arrived = System.currentTimeMillis();
    boolean sampled = c != null && c.sampled(requestId);
    RequestSettings rs = deployment.requestSettings();
    ScoreRequest request = new ScoreRequest(requestId, body, http.headers(), rs.timeoutMs(), rs.queueWaitMs(),
        http.method(), http.query());
    return s.score(request).handle((r, err) -> {
      Answer a = err == null ? Answer.of(r) : Answer.failure(err);
      if (a instanceof Answer.Answered streamed && streamed.rest() != null) {
        // in flight until it is over, however it ends (a drain waits for it); collected once its end was pulled
        streamed.rest().over().whenComplete((v, e) -> answered());
        if (!sampled) {
          return a;
        }
        return streamed.withRest(Streams.watch(streamed.body(), streamed.rest(), COLLECTED_STREAM_BYTES,
            (failure, cancelled, kept) -> c.collect(requestId, arrived, body, http.headers(), kept == null
                ? new Answer.Failed(false, "not kept") : streamed.withRest(null, kept))), streamed.body());
      }
      answered();
      if (sampled && !(a instanceof Answer.NeverRan)) {
        c.collect(requestId, arrived, body, http.headers(), a);
      }
      return a;
    });
  }

  /** A streamed answer's response is collected whole up to this (Azure's limit for a payload in line). */
  private static final int COLLECTED_STREAM_BYTES = 4 << 20;

  private void answered() {
    if (inFlight.decrementAndGet() == 0 && acknowledged) {
      drained.tryComplete();
    }
  }

  @Override
  public Future<?> stop() {
    if (healthTimer >= 0) {
      vertx.cancelTimer(healthTimer);
    }
    vertx.cancelTimer(reassert);
    drained = Promise.promise();
    synchronized (this) {
      stopping = true; // boot() makes no scorer from now on; one it made is in `scorer`, closed below
    }
    boolean wasReady = state == InstanceState.Ready || state == InstanceState.Restarting;
    // a state write that timed out does not stop the drain: the routers are told directly below
    return setState(InstanceState.Draining, null).recover(err -> Future.succeededFuture())
        // once every router has acknowledged, nothing new is on its way here; then wait for what is in flight
        .compose(v -> wasReady ? readySiblings().compose(ready -> Routers.tellAll(vertx, ready == null
            ? Events.instance(instance) : Events.draining(instance, ready))).onSuccess(missed -> {
          if (!missed.isEmpty()) {
            LOG.warn("instance {} drains without the acknowledgement of routers {}", instance.id(), missed);
          }
        }).mapEmpty() : Future.succeededFuture())
        .compose(v -> {
          // only now: until every router acknowledged, requests may still come, even with none in flight
          acknowledged = true;
          // what is in flight has its queue wait, batch wait and request timeout (the runtime answers 408 by then),
          // and 1 s more
          long guard = vertx.setTimer(deployment.requestSettings().routerTimeoutMs(), t -> drained.tryComplete());
          if (inFlight.get() == 0) {
            drained.tryComplete();
          }
          return drained.future().onComplete(x -> vertx.cancelTimer(guard));
        })
        .eventually(() -> {
          closing = true;
          return vertx.executeBlocking(() -> {
            synchronized (this) {
              if (scorer != null) {
                scorer.close();
              }
            }
            if (collector != null) {
              collector.close(); // what is queued is written first
            }
            return null;
          }, false).eventually(() -> closeLog("stopped"));
        })
        .eventually(() -> {
          locals.unregister(instance.id());
          return ClusterCalls.bounded(instances.remove(instance.id()), "instance removal");
        })
        .onComplete(ar -> {
          if (batches != null) {
            batches.close();
          }
          publish(instance.with(InstanceState.Gone, null));
        });
  }

  /** The other Ready instances of this deployment, for the routers (null if the map could not be read in time). */
  private Future<java.util.List<InstanceInfo>> readySiblings() {
    return instances.values().timeout(1, java.util.concurrent.TimeUnit.SECONDS)
        .map(all -> all.stream().map(InstanceInfo::fromJson).filter(i -> !i.id().equals(instance.id())
            && i.deploymentKey().equals(instance.deploymentKey()) && i.state() == InstanceState.Ready).toList())
        .otherwise((java.util.List<InstanceInfo>) null);
  }

  private Future<Void> setState(InstanceState next, String reason) {
    state = next;
    instance = instance.with(next, reason);
    InstanceInfo now = instance;
    return ClusterCalls.bounded(instances.put(now.id(), now.toJson()), "instance state").onComplete(ar -> {
      if (now == instance) { // a later state's own write supersedes this one
        stateWritten = ar.succeeded();
      }
      publish(now);
    });
  }

  private void publish(InstanceInfo inst) {
    io.sluice.protocol.InstanceEvents.publish(vertx, inst);
  }
}
