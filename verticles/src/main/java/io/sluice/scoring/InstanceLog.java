package io.sluice.scoring;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** An instance's log file: every line the script prints or logs, plus Sluice's own notes about the instance. */
final class InstanceLog implements AutoCloseable {
  private final BufferedWriter out;

  InstanceLog(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  synchronized void line(String line) {
    try {
      out.write(line);
      out.newLine();
      out.flush();
    } catch (IOException ignored) {
      // a full disk must not take the instance down
    }
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
