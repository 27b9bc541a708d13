package io.sluice.scoring;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * An instance's log file: every line the script prints or logs, plus Sluice's own notes about the instance. It
 * rolls at {@link #MAX_BYTES}: the full file becomes ".1" (the previous ".1" becomes ".2", and so on up to
 * {@link #KEPT}), so a chatty script uses at most (KEPT + 1) x MAX_BYTES of disk per instance.
 */
final class InstanceLog implements AutoCloseable {
  static final long MAX_BYTES = 10L << 20;
  static final int KEPT = 2;
  private final Path file;
  private final long maxBytes;
  private BufferedWriter out;
  private long written;

  InstanceLog(Path file) throws IOException {
    this(file, MAX_BYTES);
  }

  InstanceLog(Path file, long maxBytes) throws IOException {
    this.file = file;
    this.maxBytes = maxBytes;
    Files.createDirectories(file.getParent());
    open();
  }

  static Path rolled(Path file, int n) {
    return file.resolveSibling(file.getFileName() + "." + n);
  }

  private void open() throws IOException {
    written = Files.exists(file) ? Files.size(file) : 0;
    out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  synchronized void line(String line) {
    try {
      if (written >= maxBytes) {
        roll();
      }
      out.write(line);
      out.newLine();
      out.flush();
      written += line.length() + 1L;
    } catch (IOException ignored) {
      // a full disk must not take the instance down
    }
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

  @Override
  public synchronized void close() {
    try {
      out.close();
    } catch (IOException ignored) {
      // already gone
    }
  }
}
