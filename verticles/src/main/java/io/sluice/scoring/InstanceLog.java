package io.sluice.scoring;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * An instance's log file: every line the script prints or logs, plus Sluice's own notes about the instance. Callers
 * never touch the disk: {@link #line} puts the line in a bounded queue (lines past {@link #QUEUED} waiting are
 * dropped and counted) and the log's own thread writes them, flushing when the queue runs empty. It rolls at
 * {@link #MAX_BYTES}: the full file becomes ".1" (the previous ".1" becomes ".2", and so on up to {@link #KEPT}), so
 * a chatty script uses at most (KEPT + 1) x MAX_BYTES of disk per instance.
 */
final class InstanceLog implements AutoCloseable {
  static final long MAX_BYTES = 10L << 20;
  static final int KEPT = 2;
  static final int QUEUED = 10_000;
  static final long GATHER_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(20);
  private static final String CLOSE = new String("close"); // compared by identity
  private final Path file;
  private final long maxBytes;
  private final java.util.concurrent.BlockingQueue<String> queue = new java.util.concurrent.ArrayBlockingQueue<>(QUEUED);
  private final java.util.concurrent.atomic.AtomicLong dropped = new java.util.concurrent.atomic.AtomicLong();
  private final Thread writer;
  private BufferedWriter out;
  private long written;
  private volatile boolean closed;

  InstanceLog(Path file) throws IOException {
    this(file, MAX_BYTES);
  }

  InstanceLog(Path file, long maxBytes) throws IOException {
    this.file = file;
    this.maxBytes = maxBytes;
    Files.createDirectories(file.getParent());
    open();
    writer = new Thread(this::drain, "instance-log-" + file.getFileName());
    writer.setDaemon(true);
    writer.start();
  }

  static Path rolled(Path file, int n) {
    return file.resolveSibling(file.getFileName() + "." + n);
  }

  private void open() throws IOException {
    written = Files.exists(file) ? Files.size(file) : 0;
    out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  /** Never blocks: a full queue (a disk slower than the script's output) drops the line and counts it. */
  void line(String line) {
    if (closed || !queue.offer(line)) {
      dropped.incrementAndGet();
    }
  }

  /**
   * Waits for a line, lets more gather for {@link #GATHER_NANOS} (a script logging per request would otherwise wake
   * this thread for every line), then writes all that is queued and flushes once.
   */
  private void drain() {
    java.util.List<String> batch = new java.util.ArrayList<>();
    try {
      while (true) {
        batch.add(queue.take());
        java.util.concurrent.locks.LockSupport.parkNanos(GATHER_NANOS);
        queue.drainTo(batch);
        long lost = dropped.getAndSet(0);
        if (lost > 0) {
          write("sluice: " + lost + " log lines dropped (the log could not keep up)");
        }
        for (String line : batch) {
          if (line == CLOSE) {
            out.close();
            return;
          }
          write(line);
        }
        batch.clear();
        out.flush();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException ignored) {
      // a full disk must not take the instance down; lines after this are lost
    }
  }

  private void write(String line) throws IOException {
    if (written >= maxBytes) {
      roll();
    }
    out.write(line);
    out.newLine();
    written += line.length() + 1L;
  }

  private void roll() throws IOException {
    out.close();
    for (int n = KEPT; n >= 1; n--) {
      Path from = n == 1 ? file : rolled(file, n - 1);
      if (Files.exists(from)) {
        Files.move(from, rolled(file, n), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    open();
  }

  /** Writes what is queued, then closes the file (waits at most 5 s for a slow disk). */
  @Override
  public void close() {
    closed = true;
    try {
      if (queue.offer(CLOSE, 5, java.util.concurrent.TimeUnit.SECONDS)) {
        writer.join(5000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
