package io.sluice.collect;

import io.sluice.collect.CollectedRecords.Payload;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
  private static final Payload CLOSE = new Payload("", 0, "", new byte[0], null, 0, null);

  /** Counts what was written and what was dropped, per collection (the node's metrics). */
  public interface Counts {
    void written(String collection);

    void dropped(String collection);
  }

  private final String endpoint;
  private final String deployment;
  private final String instance;
  private final DataCollection settings;
  private final Map<String, Path> folders;
  private final Counts counts;
  private final long maxQueued;
  private final LinkedBlockingQueue<Payload> queue = new LinkedBlockingQueue<>();
  private final AtomicLong queued = new AtomicLong();
  /** Per collection: the file being appended to (its period), and its channel. */
  private final Map<String, Path> current = new HashMap<>();
  private final Map<String, FileChannel> channels = new HashMap<>();
  private final Thread thread;
  private volatile boolean closed;
  private long lastForce = System.nanoTime();
  private long lastSweep;
  private boolean dirty;
  private final List<Path> kept;

  /**
   * {@code folders}: each enabled collection this writer writes, and its folder; {@code kept}: the folders of every
   * enabled collection (the script's too), swept of files older than the retention once a minute.
   */
  public CollectWriter(String endpoint, String deployment, String instance, DataCollection settings,
                       Map<String, Path> folders, List<Path> kept, Counts counts, long maxQueued) {
    this.kept = List.copyOf(kept);
    this.endpoint = endpoint;
    this.deployment = deployment;
    this.instance = instance;
    this.settings = settings;
    this.folders = Map.copyOf(folders);
    this.counts = counts;
    this.maxQueued = maxQueued;
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
      counts.dropped(p.collection());
      return;
    }
    queue.add(p);
  }

  private static long cost(Payload p) {
    return p.body().length + 512L;
  }

  private void run() {
    List<Payload> batch = new ArrayList<>();
    try {
      while (true) {
        Payload first = queue.poll(250, TimeUnit.MILLISECONDS);
        if (first != null) {
          batch.add(first);
          queue.drainTo(batch);
        }
        for (Payload p : batch) {
          if (p == CLOSE) {
            closeFiles();
            return;
          }
          queued.addAndGet(-cost(p));
          write(p);
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
      Instant at = Instant.ofEpochMilli(p.epochMillis());
      Path file = CollectionFolders.file(folders.get(p.collection()), settings.rollingRate(), at, instance);
      String dataref = null;
      if (CollectedRecords.beside(p)) {
        Path raw = file.resolveSibling(instance + "." + p.requestId().replaceAll("[^A-Za-z0-9_-]", "_") + "."
            + p.collection() + ".raw");
        Files.createDirectories(raw.getParent());
        Files.write(raw, p.body());
        dataref = folders.get(p.collection()).relativize(raw).toString();
      }
      byte[] line = (CollectedRecords.record(endpoint, deployment, p, dataref).encode() + "\n")
          .getBytes(StandardCharsets.UTF_8);
      ByteBuffer buf = ByteBuffer.wrap(line);
      FileChannel ch = channel(p.collection(), file);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      dirty = true;
      counts.written(p.collection());
    } catch (IOException | RuntimeException e) {
      counts.dropped(p.collection()); // a full disk or a read-only folder: the answer went out anyway
      LOG.debug("collected record dropped for {}: {}", instance, e.toString());
    }
  }

  /** The channel of {@code file}; the previous period's file of the collection is forced and closed. */
  private FileChannel channel(String collection, Path file) throws IOException {
    if (file.equals(current.get(collection))) {
      return channels.get(collection);
    }
    FileChannel old = channels.remove(collection);
    if (old != null) {
      old.force(false);
      old.close();
    }
    Files.createDirectories(file.getParent());
    FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND);
    current.put(collection, file);
    channels.put(collection, ch);
    return ch;
  }

  private void force() {
    for (FileChannel ch : channels.values()) {
      try {
        ch.force(false);
      } catch (IOException e) {
        LOG.debug("collected file not forced: {}", e.toString());
      }
    }
    dirty = false;
    lastForce = System.nanoTime();
  }

  private void closeFiles() {
    force();
    for (FileChannel ch : channels.values()) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // closing: nothing more to do
      }
    }
    channels.clear();
    current.clear();
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
