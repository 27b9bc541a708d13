package io.sluice.endpoints;

import io.sluice.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The supervisor leader's housekeeping of the store: uploads that no document refers to are removed once they are
 * older than {@code limits.upload_grace_seconds} (the grace lets a client upload, then create what uses it), and
 * the kept answers of client request ids are removed after their window. Runs at most every
 * clamp(grace / 2, 1 s, 60 s), on a worker thread.
 */
public final class Janitor {
  private static final Logger LOG = LoggerFactory.getLogger(Janitor.class);
  private static final Pattern FILE_ID = Pattern.compile("sha256:[0-9a-f]{64}");

  private final Vertx vertx;
  private final Store store;
  private final long graceSeconds;
  private final long periodMillis;
  private long lastSweep;

  public Janitor(Vertx vertx, Store store, long graceSeconds) {
    this.vertx = vertx;
    this.store = store;
    this.graceSeconds = graceSeconds;
    this.periodMillis = Math.max(1000, Math.min(60_000, graceSeconds * 500));
  }

  /** A leader round: sweeps when a period has passed since the last sweep, else does nothing. */
  public Future<Void> round() {
    long now = System.currentTimeMillis();
    if (now - lastSweep < periodMillis) {
      return Future.succeededFuture();
    }
    lastSweep = now;
    return vertx.<Void>executeBlocking(() -> {
      sweep(now / 1000);
      return null;
    }, false).recover(err -> {
      LOG.warn("store housekeeping failed: {}", String.valueOf(err));
      return Future.succeededFuture();
    });
  }

  void sweep(long nowSeconds) throws Exception {
    Set<String> referenced = new HashSet<>();
    List<Store.Write> expired = new ArrayList<>();
    store.scanDocuments((kind, name, body) -> {
      if (Store.CLIENT_REQUEST.equals(kind)
          && ClientRequests.expired(new io.vertx.core.json.JsonObject(body), nowSeconds)) {
        expired.add(Store.Write.delete(kind, name));
        return; // an expired answer keeps nothing alive
      }
      Matcher m = FILE_ID.matcher(body);
      while (m.find()) {
        referenced.add(m.group());
      }
    });
    store.dateUndatedFiles(nowSeconds);
    for (String id : unreferenced(store.files(), referenced, nowSeconds, graceSeconds)) {
      store.deleteFile(id);
      LOG.info("removed upload {}: nothing has referred to it for {} s", id, graceSeconds);
    }
    if (!expired.isEmpty()) {
      store.write(expired);
    }
  }

  /** The uploads to remove: referred to by no document, and stored longer ago than the grace period. */
  static List<String> unreferenced(List<Store.FileInfo> files, Set<String> referenced, long nowSeconds,
                                   long graceSeconds) {
    return files.stream().filter(f -> !referenced.contains(f.id()) && f.created() > 0
        && nowSeconds - f.created() > graceSeconds).map(Store.FileInfo::id).toList();
  }
}
