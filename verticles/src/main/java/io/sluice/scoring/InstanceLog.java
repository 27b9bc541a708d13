package io.sluice.scoring;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An instance's log file: every line the script prints or logs, plus Sluice's own notes about the instance. Callers
 * never touch the disk: {@link #line} puts the line in a bounded queue (lines past {@link #QUEUED} waiting are
 * dropped and counted) and one writer thread, shared by every instance log of the JVM, writes them. It lets lines
 * gather for {@link #GATHER_NANOS}, then opens each log that has some, appends them and closes it: an instance
 * costs no thread, file handle or buffer while it is quiet, so a node hosts thousands (docs/capacity.md). It rolls
 * at {@link #MAX_BYTES}: the full file becomes ".1" (the previous ".1" becomes ".2", and so on up to {@link #KEPT}),
 * so a chatty script uses at most (KEPT + 1) x MAX_BYTES of disk per instance.
 */
final class InstanceLog implements AutoCloseable {
  static final long MAX_BYTES = 10L << 20;
  static final int KEPT = 2;
  static final int QUEUED = 10_000;
  static final long GATHER_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  /** The logs with lines waiting, in the order they got their first one. */
  private static final BlockingQueue<InstanceLog> READY = new LinkedBlockingQueue<>();

  static {
    Thread writer = new Thread(InstanceLog::serve, "instance-logs");
    writer.setDaemon(true);
    writer.start();
  }

  private final Path file;
  private final long maxBytes;
  private final BlockingQueue<String> queue = new LinkedBlockingQueue<>(QUEUED);
  private final AtomicLong dropped = new AtomicLong();
  /** Whether this log is in {@link #READY} (or being written): a line schedules it once. */
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final CountDownLatch finished = new CountDownLatch(1);
  /** Bytes in the current file; the writer thread's alone after the constructor. */
  private long written;
  private volatile boolean closed;

  InstanceLog(Path file) throws IOException {
    this(file, MAX_BYTES);
  }

  InstanceLog(Path file, long maxBytes) throws IOException {
    this.file = file;
    this.maxBytes = maxBytes;
    Files.createDirectories(file.getParent());
    written = Files.exists(file) ? Files.size(file) : 0;
  }

  static Path rolled(Path file, int n) {
    return file.resolveSibling(file.getFileName() + "." + n);
  }

  /** Never blocks: a full queue (a disk slower than the script's output) drops the line and counts it. */
  void line(String line) {
    if (closed || !queue.offer(line)) {
      dropped.incrementAndGet();
      return;
    }
    schedule();
  }

  private void schedule() {
    if (scheduled.compareAndSet(false, true)) {
      READY.add(this);
    }
  }

  /** The writer thread: waits for a log with lines, lets more gather, then writes every log that has some. */
  private static void serve() {
    List<InstanceLog> batch = new ArrayList<>();
    while (true) {
      try {
        batch.add(READY.take());
      } catch (InterruptedException e) {
        continue; // nobody interrupts this thread on purpose; it serves the JVM's whole life
      }
      LockSupport.parkNanos(GATHER_NANOS);
      READY.drainTo(batch);
      for (InstanceLog log : batch) {
        log.writeQueued();
      }
      batch.clear();
    }
  }

  /** Appends what is queued (and a note of what was dropped), closing the file again; then, if closed, finishes. */
  private void writeQueued() {
    scheduled.set(false); // first: a line queued from now on schedules this log again
    List<String> lines = new ArrayList<>();
    queue.drainTo(lines);
    long lost = dropped.getAndSet(0);
    if (!lines.isEmpty() || lost > 0) {
      try (Appender out = new Appender()) {
        if (lost > 0) {
          out.write("sluice: " + lost + " log lines dropped (the log could not keep up)");
        }
        for (String line : lines) {
          out.write(line);
        }
      } catch (IOException | RuntimeException ignored) {
        // a full disk must not take the instance down; these lines are lost
      }
    }
    if (closed && queue.isEmpty()) {
      finished.countDown();
    }
  }

  /** The file opened for appending, for one batch; rolls it when it is full. */
  private final class Appender implements AutoCloseable {
    private BufferedWriter out;

    Appender() throws IOException {
      open();
    }

    private void open() throws IOException {
      out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    }

    void write(String line) throws IOException {
      if (written >= maxBytes) {
        out.close();
        roll();
        open();
      }
      out.write(line);
      out.newLine();
      written += line.length() + 1L;
    }

    private void roll() throws IOException {
      for (int n = KEPT; n >= 1; n--) {
        Path from = n == 1 ? file : rolled(file, n - 1);
        if (Files.exists(from)) {
          Files.move(from, rolled(file, n), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      written = 0;
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }

  /** Writes what is queued, then stops taking lines (waits at most 5 s for a slow disk). */
  @Override
  public void close() {
    closed = true;
    schedule();
    try {
      finished.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
