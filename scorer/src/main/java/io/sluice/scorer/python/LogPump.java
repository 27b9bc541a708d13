package io.sluice.scorer.python;

import io.sluice.scorer.ScorerSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Copies a Python process's stderr (prints, logging, tracebacks) into the instance's log, line by line, in order.
 * It reads in bulk and pauses {@link #PAUSE_NANOS} between reads: a script that logs a line or two per request would
 * otherwise wake this thread for every line (the profile's largest Java cost of a Python request after the event
 * loop); the pipe holds 64 KiB meanwhile, so a chatty script is never blocked by the pause. Ends at EOF.
 */
final class LogPump {
  static final long PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final int MAX_LINE_BYTES = 64 * 1024;

  private final InputStream in;
  private final ScorerSpec.LogSink sink;
  private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

  LogPump(InputStream in, ScorerSpec.LogSink sink) {
    this.in = in;
    this.sink = sink;
  }

  /** Runs until the stream ends (the process exited) or fails (it was destroyed). */
  void run() {
    byte[] buf = new byte[64 * 1024];
    try {
      int n;
      while ((n = in.read(buf)) > 0) {
        lines(buf, n);
        if (in.available() == 0) {
          LockSupport.parkNanos(PAUSE_NANOS); // let more lines gather before the next read wakes us
        }
      }
    } catch (IOException ignored) {
      // the process is gone; the worker loop reports it
    }
    if (partial.size() > 0) {
      emit();
    }
  }

  private void lines(byte[] buf, int n) {
    int start = 0;
    for (int i = 0; i < n; i++) {
      if (buf[i] == '\n') {
        partial.write(buf, start, i - start);
        emit();
        start = i + 1;
      }
    }
    partial.write(buf, start, n - start);
    if (partial.size() > MAX_LINE_BYTES) { // a line without an end: logged in pieces rather than held without bound
      emit();
    }
  }

  private void emit() {
    byte[] b = partial.toByteArray();
    int len = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
    sink.line(new String(b, 0, len, StandardCharsets.UTF_8));
    partial.reset();
  }
}
