package io.sluice.scorer.python;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * What one Python process has been sent and not yet answered, in order: the first is running (Python reads one
 * request at a time), the others are framed and waiting in its pipe, so the process starts the next one the moment
 * it answers, without waiting for a round trip through Java. At most {@code depth} are out. Shared by the slot's
 * writer (which adds) and its reader (which takes answers off the front); {@link Entry#started} is called for each
 * entry when it becomes the running one.
 */
final class Pipe {
  /** One request (or liveness ping) sent to the process. */
  interface Entry {
    /** It is the running one now (its run budget starts). */
    void started();

    /** It is answered, or will never be (its run budget ends). */
    void finished();
  }

  private final int depth;
  private final ArrayDeque<Entry> out = new ArrayDeque<>();
  private String ended;

  Pipe(int depth) {
    this.depth = depth;
  }

  /** Waits up to {@code ms} for room; false when there is none (or the conversation ended). */
  synchronized boolean awaitRoom(long ms) throws InterruptedException {
    if (out.size() >= depth && ended == null) {
      wait(ms);
    }
    return out.size() < depth && ended == null;
  }

  /** Whether nothing is out (the process is idle). */
  synchronized boolean idle() {
    return out.isEmpty();
  }

  /** Records an entry before it is written (the first one out starts at once); false once the process ended. */
  synchronized boolean sent(Entry e) {
    if (ended != null) {
      return false;
    }
    out.add(e);
    if (out.size() == 1) {
      e.started();
    }
    return true;
  }

  /** The reader got an answer: the entry it answers (null if nothing was out), and the next one starts. */
  synchronized Entry answered() {
    Entry done = out.poll();
    if (done != null) {
      done.finished();
    }
    Entry next = out.peek();
    if (next != null) {
      next.started();
    }
    notifyAll();
    return done;
  }

  /**
   * The process is gone: returns what was out, the running entry first (it may have run), then those that never
   * reached Python's hands. Nothing can be sent any more.
   */
  synchronized List<Entry> end(String why) {
    ended = why;
    List<Entry> left = new ArrayList<>(out);
    out.clear();
    left.forEach(Entry::finished);
    notifyAll();
    return left;
  }

  /** Why the conversation ended; null while it goes on. */
  synchronized String ended() {
    return ended;
  }
}
