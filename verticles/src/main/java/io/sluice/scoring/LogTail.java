package io.sluice.scoring;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The last lines of an instance's log, read from the end of the file (and of the file it rolled into when that
 * one is short): memory stays within {@code maxBytes} whatever the log's size.
 */
public final class LogTail {
  private LogTail() {
  }

  /** At most {@code lines} lines and {@code maxBytes} bytes from the end of {@code file} and its rolled-over ".1". */
  public static String last(Path file, int lines, int maxBytes) throws IOException {
    Deque<String> out = new ArrayDeque<>();
    int budget = maxBytes;
    for (Path f : new Path[] {file, InstanceLog.rolled(file, 1)}) {
      if (out.size() >= lines || budget <= 0 || !Files.exists(f)) {
        break;
      }
      budget -= readBackwards(f, lines, budget, out);
    }
    return String.join("\n", out);
  }

  /** Prepends lines of {@code f} to {@code out} from its end; returns the bytes read. */
  private static int readBackwards(Path f, int lines, int budget, Deque<String> out) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "r")) {
      long end = raf.length();
      int n = (int) Math.min(end, budget);
      byte[] tail = new byte[n];
      raf.seek(end - n);
      raf.readFully(tail);
      int stop = tail.length;
      if (stop > 0 && tail[stop - 1] == '\n') {
        stop--; // the file's last newline ends the last line; it does not start an empty one
      }
      for (int i = stop - 1; i >= -1 && out.size() < lines; i--) {
        if (i == -1 || tail[i] == '\n') {
          if (i == -1 && n < end) {
            break; // a line cut by the budget: left out rather than shown half
          }
          out.addFirst(new String(tail, i + 1, stop - i - 1, StandardCharsets.UTF_8));
          stop = i;
        }
      }
      return n;
    }
  }
}
