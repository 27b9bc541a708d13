package io.sluice.protocol;

import io.vertx.core.Context;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The bytes that frames still being read may hold, shared by every connection of one server (the bridge, the
 * scoring channel). A frame over {@link #SMALL} bytes takes its length from the budget when its length has been read
 * and gives it back when it is whole (or its connection ends); one that does not fit waits, its connection paused
 * and holding nothing, until enough comes back (first come, first served). Small frames are not counted: at most
 * the server's connections times {@link #SMALL}. So whatever many clients announce and never finish, the frames
 * they hold half-read stay within the budget.
 */
public final class FrameBudget {
  /** Frames up to this size are not counted. */
  public static final int SMALL = 64 * 1024;

  private final long total;
  private long free;
  private final Deque<Waiter> waiting = new ArrayDeque<>();

  /** A frame waiting for room; {@link #cancel} it when its connection ends first. */
  public static final class Waiter {
    private final long bytes;
    private final Context context;
    private final Runnable go;

    private Waiter(long bytes, Context context, Runnable go) {
      this.bytes = bytes;
      this.context = context;
      this.go = go;
    }
  }

  public FrameBudget(long totalBytes) {
    this.total = totalBytes;
    this.free = totalBytes;
  }

  public long total() {
    return total;
  }

  public synchronized long free() {
    return free;
  }

  /** Takes {@code bytes} now, or queues {@code go} to run on {@code context} once they are taken; null when taken. */
  public synchronized Waiter take(long bytes, Context context, Runnable go) {
    if (bytes > total) {
      throw new IllegalArgumentException("a frame of " + bytes + " bytes can never fit a budget of " + total);
    }
    if (waiting.isEmpty() && free >= bytes) {
      free -= bytes;
      return null;
    }
    Waiter w = new Waiter(bytes, context, go);
    waiting.add(w);
    return w;
  }

  /** Gives back what a frame took, and lets waiting frames in while they fit. */
  public void give(long bytes) {
    Deque<Waiter> admitted = new ArrayDeque<>();
    synchronized (this) {
      free = Math.min(total, free + bytes);
      while (!waiting.isEmpty() && waiting.peek().bytes <= free) {
        Waiter w = waiting.poll();
        free -= w.bytes;
        admitted.add(w);
      }
    }
    admitted.forEach(w -> w.context.runOnContext(v -> w.go.run()));
  }

  /** A waiting frame's connection ended: it no longer waits. */
  public void cancel(Waiter w) {
    boolean removed;
    synchronized (this) {
      removed = waiting.remove(w);
    }
    if (removed) {
      give(0); // the frames behind it may fit now
    }
  }

  public synchronized int waiting() {
    return waiting.size();
  }
}
