package io.sluice.collect;

import io.sluice.collect.CollectedRecords.Payload;
import java.io.IOException;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One instance's collected data on its way to disk. The request path only samples and queues ({@link #offer} never
 * blocks and never fails: past {@link #QUEUED_BYTES} waiting, or when a file cannot be written, a record is dropped
 * and counted); this writer's own thread turns payloads into Azure's records, appends them to the rolling files
 * ({@link CollectionFolders}), writes a payload over 4 MB beside its line, and forces the files to disk at least once
 * a second.
 */
public final class CollectWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CollectWriter.class);
  /** At most this many payload bytes wait for the disk per instance. */
  public static final long QUEUED_BYTES = 64L << 20;
  private static final long FORCE_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long SWEEP_NANOS = TimeUnit.MINUTES.toNanos(1);
  private static final long FLUSH_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long GATHER_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final int BATCH = 4096;
  private static final Payload CLOSE = new Payload("", 0, "", new byte[0], null, 0, null);

  /** Counts what was written and what was dropped, per collection (the node's metrics). */
  public interface Counts {
    void written(String collection, long n);

    void dropped(String collection, long n);
  }

  private final String instance;
  private final DataCollection settings;
  private final Map<String, Path> folders;
  private final Counts counts;
  private final long maxQueued;
  private final LinkedBlockingQueue<Payload> queue = new LinkedBlockingQueue<>();
  private final AtomicLong queued = new AtomicLong();
  /** Per collection: the file being appended to (its period's). */
  private final Map<String, OpenFile> files = new HashMap<>();
  /** Per collection: the second last written and its file. */
  private final Map<String, Object[]> paths = new HashMap<>();
  private final Thread thread;
  private final LineEncoder encoder;
  private volatile boolean closed;
  private long lastForce = System.nanoTime();
  private long lastSweep;
  private long lastFlush = System.nanoTime();
  private boolean dirty;
  private final List<Path> kept;

  /**
   * {@code folders}: each enabled collection this writer writes, and its folder; {@code kept}: the folders of every
   * enabled collection (the script's too), swept of files older than the retention once a minute.
   */
  public CollectWriter(String endpoint, String deployment, String instance, DataCollection settings,
                       Map<String, Path> folders, List<Path> kept, Counts counts, long maxQueued) {
    this.kept = List.copyOf(kept);
    this.instance = instance;
    this.settings = settings;
    this.folders = Map.copyOf(folders);
    this.counts = counts;
    this.maxQueued = maxQueued;
    this.encoder = new LineEncoder(endpoint, deployment);
    thread = new Thread(this::run, "collect-" + instance);
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Whether a request is in the sample: decided by its id (CRC-32 modulo 10000 against the rate), so its request,
   * its response and what score.py collects for it (sluice_monitoring.py decides the same way) go together.
   */
  public static boolean sampled(String requestId, double rate) {
    if (rate >= 1) {
      return true;
    }
    if (rate <= 0 || requestId == null) {
      return false;
    }
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(requestId.getBytes(StandardCharsets.UTF_8));
    return crc.getValue() % 10_000 < rate * 10_000;
  }

  public boolean sampled(String requestId) {
    return sampled(requestId, settings.samplingRate());
  }

  /** Whether collection {@code name} is written by this writer. */
  public boolean writes(String name) {
    return folders.containsKey(name);
  }

  /** Queues a payload; never blocks. */
  public void offer(Payload p) {
    if (closed || !folders.containsKey(p.collection())) {
      return;
    }
    long size = cost(p);
    if (queued.addAndGet(size) > maxQueued) {
      queued.addAndGet(-size);
      counts.dropped(p.collection(), 1);
      return;
    }
    queue.add(p);
  }

  private static long cost(Payload p) {
    return p.body().length + 512L;
  }

  private void run() {
    List<Payload> batch = new ArrayList<>(BATCH + 1);
    try {
      while (true) {
        Payload first = queue.poll(250, TimeUnit.MILLISECONDS);
        if (first != null) {
          // let more gather: while this thread sleeps rather than waits on the queue, adding to it wakes nobody,
          // so the event loop pays no wake-up per record
          if (queue.size() < BATCH) {
            java.util.concurrent.locks.LockSupport.parkNanos(GATHER_NANOS);
          }
          batch.add(first);
          queue.drainTo(batch, BATCH); // bounded: a list that grew with a backlog cost a third of this thread
        }
        long done = 0;
        for (Payload p : batch) {
          if (p == CLOSE) {
            closeFiles();
            return;
          }
          done += cost(p);
          write(p);
        }
        queued.addAndGet(-done); // once a batch: the event loops add to the same counter
        if (first == null || System.nanoTime() - lastFlush >= FLUSH_NANOS) {
          flush(); // readers (get-collected-data) see what was written within 100 ms; few write() calls meanwhile
          lastFlush = System.nanoTime();
        }
        batch.clear();
        if (dirty && System.nanoTime() - lastForce >= FORCE_NANOS) {
          force();
        }
        if (System.nanoTime() - lastSweep >= SWEEP_NANOS || lastSweep == 0) {
          lastSweep = System.nanoTime();
          Retention.sweep(kept, settings.retention(), java.time.Instant.now());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeFiles();
    }
  }

  private void write(Payload p) {
    try {
      Path path = path(p.collection(), p.epochMillis());
      String dataref = null;
      if (CollectedRecords.beside(p)) {
        Path raw = path.resolveSibling(instance + "." + p.requestId().replaceAll("[^A-Za-z0-9_-]", "_") + "."
            + p.collection() + ".raw");
        Files.createDirectories(raw.getParent());
        Files.write(raw, p.body());
        dataref = folders.get(p.collection()).relativize(raw).toString();
      }
      OpenFile f = file(p.collection(), path);
      encoder.write(p, dataref, f.out());
      f.pending()[0]++;
      dirty = true;
    } catch (IOException | RuntimeException e) {
      counts.dropped(p.collection(), 1); // a full disk or a read-only folder: the answer went out anyway
      LOG.debug("collected record dropped for {}: {}", instance, e.toString());
    }
  }

  /** The file of a collection for a record of that time: worked out once a second, not per record. */
  private Path path(String collection, long epochMillis) {
    long second = Math.floorDiv(epochMillis, 1000);
    Object[] cached = paths.get(collection);
    if (cached == null || (long) cached[0] != second) {
      Path file = CollectionFolders.file(folders.get(collection), settings.rollingRate(),
          Instant.ofEpochSecond(second), instance);
      if (cached != null && cached[1].equals(file)) {
        file = (Path) cached[1]; // the same file as the second before: the same object, so file() compares identity
      }
      cached = new Object[] {second, file};
      paths.put(collection, cached);
    }
    return (Path) cached[1];
  }

  /** A file being appended to: buffered, flushed after each batch, forced to disk once a second. */
  private record OpenFile(Path path, FileOutputStream stream, BufferedOutputStream out, long[] pending) {
  }

  /** The open file {@code path} of a collection; the previous period's file of the collection is closed. */
  private OpenFile file(String collection, Path path) throws IOException {
    OpenFile f = files.get(collection);
    if (f != null && (f.path() == path || f.path().equals(path))) { // the same object while the second lasts
      return f;
    }
    if (f != null) {
      files.remove(collection);
      flush(collection, f);
      close(f);
    }
    Files.createDirectories(path.getParent());
    FileOutputStream stream = new FileOutputStream(path.toFile(), true);
    OpenFile opened = new OpenFile(path, stream, new BufferedOutputStream(stream, 64 << 10), new long[1]);
    files.put(collection, opened);
    return opened;
  }

  private void flush() {
    files.forEach(this::flush);
  }

  /** Writes out what the file's buffer holds; its records are counted written, or dropped when that fails. */
  private void flush(String collection, OpenFile f) {
    long n = f.pending()[0];
    f.pending()[0] = 0;
    try {
      f.out().flush();
      counts.written(collection, n);
    } catch (IOException err) {
      counts.dropped(collection, n);
      LOG.debug("collected file not written: {}", err.toString());
    }
  }

  private void force() {
    flush();
    for (OpenFile f : files.values()) {
      try {
        f.stream().getChannel().force(false);
      } catch (IOException e) {
        LOG.debug("collected file not forced: {}", e.toString());
      }
    }
    dirty = false;
    lastForce = System.nanoTime();
  }

  private static void close(OpenFile f) {
    try {
      f.out().flush();
      f.stream().getChannel().force(false);
      f.out().close();
    } catch (IOException ignored) {
      // closing: nothing more to do
    }
  }

  private void closeFiles() {
    flush();
    files.values().forEach(CollectWriter::close);
    files.clear();
  }

  /** Writes what is queued and closes the files (waits at most 5 s for a slow disk). */
  @Override
  public void close() {
    closed = true;
    queue.add(CLOSE);
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
