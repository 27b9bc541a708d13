package io.sluice.collect;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.collect.CollectedRecords.Payload;
import io.sluice.protocol.Answer;
import io.sluice.protocol.DeploymentDoc;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one instance collects under its deployment's {@code data_collector}: the raw {@code request} and
 * {@code response} payloads at the instance's door (no change to score.py; a sampled request's answer is collected
 * with it), through a {@link CollectWriter}; and, for the script's own collections ({@code model_inputs} …), the
 * settings the Python {@code azureml.ai.monitoring.Collector} reads from {@code SLUICE_COLLECT}. Metrics:
 * {@code sluice_collected_records_total} and {@code sluice_collected_dropped_total} by endpoint, deployment and
 * collection (the deployment's own collections: bounded by what the admin configured).
 */
public final class InstanceCollector implements AutoCloseable {
  private final CollectWriter writer;
  private final List<String> capture;
  private final CollectWriter.Counts counts;
  /** The enabled collections the script writes itself (model_inputs …): the only ones its drops are counted for. */
  private final java.util.Set<String> scripts;
  private String lastType;

  private InstanceCollector(CollectWriter writer, List<String> capture, CollectWriter.Counts counts,
                            java.util.Set<String> scripts) {
    this.writer = writer;
    this.capture = capture;
    this.counts = counts;
    this.scripts = scripts;
  }

  private static DataCollection settings(DeploymentDoc d) {
    Object spec = d.spec().getValue("data_collector");
    return spec == null ? null : DataCollection.parse(spec);
  }

  /**
   * The collector of an instance whose deployment collects anything (it writes the payloads, and sweeps every
   * enabled collection's folder of files past the retention); null otherwise.
   */
  public static InstanceCollector of(Path home, DeploymentDoc d, String instance, MeterRegistry registry) {
    DataCollection dc = settings(d);
    if (dc == null || dc.collections().values().stream().noneMatch(DataCollection.Collection::enabled)) {
      return null;
    }
    Map<String, Path> folders = new HashMap<>();
    List<Path> kept = new java.util.ArrayList<>();
    dc.collections().forEach((name, c) -> {
      if (c.enabled()) {
        Path folder = CollectionFolders.folder(home, d.endpoint(), d.name(), name, c);
        kept.add(folder);
        if (name.equals(DataCollection.REQUEST) || name.equals(DataCollection.RESPONSE)) {
          folders.put(name, folder);
        }
      }
    });
    CollectWriter.Counts counts = counts(registry, d);
    java.util.Set<String> scripts = new java.util.HashSet<>();
    dc.collections().forEach((name, c) -> {
      if (c.enabled() && !folders.containsKey(name)) {
        scripts.add(name);
      }
    });
    return new InstanceCollector(new CollectWriter(d.endpoint(), d.name(), instance, dc, folders, kept,
        counts, CollectWriter.QUEUED_BYTES), dc.captureHeaders(), counts, java.util.Set.copyOf(scripts));
  }

  static CollectWriter.Counts counts(MeterRegistry registry, DeploymentDoc d) {
    Map<String, Counter> written = new ConcurrentHashMap<>();
    Map<String, Counter> dropped = new ConcurrentHashMap<>();
    return new CollectWriter.Counts() {
      @Override
      public void written(String c, long n) {
        written.computeIfAbsent(c, k -> counter(registry, "sluice.collected.records", d, k)).increment(n);
      }

      @Override
      public void dropped(String c, long n) {
        dropped.computeIfAbsent(c, k -> counter(registry, "sluice.collected.dropped", d, k)).increment(n);
      }
    };
  }

  private static Counter counter(MeterRegistry registry, String name, DeploymentDoc d, String collection) {
    return Counter.builder(name).tag("endpoint", d.endpoint()).tag("deployment", d.name())
        .tag("collection", collection).register(registry);
  }

  /**
   * The environment of the instance's workers: with {@code SLUICE_COLLECT} when the script may collect its own
   * data (the folder of each enabled collection that is not a payload one, the rolling and sampling rates).
   */
  public static Map<String, String> environment(Path home, DeploymentDoc d, String instance, Map<String, String> env) {
    DataCollection dc = settings(d);
    if (dc == null) {
      return env;
    }
    JsonObject folders = new JsonObject();
    dc.collections().forEach((name, c) -> {
      if (c.enabled() && !name.equals(DataCollection.REQUEST) && !name.equals(DataCollection.RESPONSE)) {
        folders.put(name, CollectionFolders.folder(home, d.endpoint(), d.name(), name, c).toString());
      }
    });
    Map<String, String> out = new LinkedHashMap<>(env);
    out.put("SLUICE_COLLECT", new JsonObject().put("endpoint", d.endpoint()).put("deployment", d.name())
        .put("instance", instance).put("collections", folders).put("rolling", dc.rollingRate().folders)
        .put("sampling_rate", dc.samplingRate()).encode());
    return out;
  }

  /** Whether this request's payloads are collected (in the sample, and request or response on). */
  public boolean sampled(String requestId) {
    return (writer.writes(DataCollection.REQUEST) || writer.writes(DataCollection.RESPONSE))
        && writer.sampled(requestId);
  }

  /** A sampled request and what became of it: the request always, the response when the instance answered. */
  public void collect(String requestId, long arrivedMillis, byte[] body, Map<String, String> headers, Answer a) {
    Map<String, String> captured = capture.isEmpty() ? Map.of() : new LinkedHashMap<>();
    if (!capture.isEmpty()) {
      headers.forEach((k, v) -> {
        if (capture.contains(k.toLowerCase(java.util.Locale.ROOT))) {
          captured.put(k.toLowerCase(java.util.Locale.ROOT), v);
        }
      });
    }
    // a look-up, not a walk: the router's header view is case-insensitive, the event bus's map keeps the sender's case
    String contentType = headers.get("content-type");
    if (contentType == null) {
      contentType = headers.get("Content-Type");
    }
    writer.offer(new Payload(DataCollection.REQUEST, arrivedMillis, requestId, body, known(contentType), 0,
        captured));
    if (a instanceof Answer.Answered r && writer.writes(DataCollection.RESPONSE)) {
      writer.offer(new Payload(DataCollection.RESPONSE, System.currentTimeMillis(), requestId, r.body().getBytes(),
          known(r.contentType()), r.clientStatus(), null));
    }
  }

  /**
   * The content type as the object seen last time when it is the same text: each request parses its own copy, and
   * the writer (another core) then recognises it by identity instead of reading it from this core's cache.
   */
  private String known(String type) {
    String last = lastType;
    if (type == null || type.equals(last)) {
      return type == null ? null : last;
    }
    lastType = type; // racy between event loops on purpose: any value seen is a right one
    return type;
  }

  /**
   * Records the script's {@code Collector} dropped, as its worker reported them: counted under the collection when
   * it is one of the deployment's enabled script collections (so a script cannot make up metric series).
   */
  public void scriptDropped(String collection, long n) {
    if (scripts.contains(collection) && n > 0) {
      counts.dropped(collection, n);
    }
  }

  @Override
  public void close() {
    writer.close();
  }
}
