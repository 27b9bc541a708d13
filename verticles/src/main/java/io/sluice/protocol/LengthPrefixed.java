package io.sluice.protocol;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.core.streams.ReadStream;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

/**
 * Reads frames of a 4-byte big-endian length and that many bytes (the bridge's and the scoring channel's framing).
 * A length outside [{@code minLength}, {@code maxLength}] is refused before a byte of the frame is buffered: the
 * limit may change as the connection goes on (the channel allows more once the peer proved itself). With
 * {@link #bounded}, a large frame's bytes come out of a budget shared by the server's connections (it waits,
 * paused, when they do not fit) and a frame that has started must be whole within a deadline.
 */
public final class LengthPrefixed {
  private final RecordParser parser;
  private final int minLength;
  private final LongSupplier maxLength;
  private final Handler<Buffer> frame;
  private final IntConsumer refused;
  private boolean atLength = true;
  private Vertx vertx;
  private Context context;
  private FrameBudget budget;
  private long frameTimeoutMs;
  private Runnable timedOut;
  /** What the frame being read took from the budget (0: nothing). */
  private long taken;
  private FrameBudget.Waiter waiter;
  /** When the frame being read began (its length came), System.nanoTime(); -1 between frames. */
  private long frameStartedNs = -1;
  /** The periodic check of that (one timer per connection, not one per frame: the channel's hot path). */
  private long sweeper = -1;
  private boolean ended;
  /** Why reading stops: {@link #BUDGET}, or the owner's reasons ({@link #hold}); read again when none is left. */
  private int holds;
  private static final int BUDGET = 1;
  /** The owner's reasons to stop reading (bits above {@link #BUDGET}). */
  public static final int IN_FLIGHT = 2;
  public static final int WRITES = 4;

  /** {@code refused} gets a length out of bounds (the caller closes the connection); nothing is read after it. */
  public LengthPrefixed(ReadStream<Buffer> in, int minLength, LongSupplier maxLength, Handler<Buffer> frame,
                        IntConsumer refused) {
    this.minLength = minLength;
    this.maxLength = maxLength;
    this.frame = frame;
    this.refused = refused;
    this.parser = RecordParser.newFixed(4, in);
    parser.handler(this::record);
  }

  public LengthPrefixed exceptionHandler(Handler<Throwable> h) {
    parser.exceptionHandler(h);
    return this;
  }

  /**
   * Large frames take their bytes from {@code shared}; a frame not whole {@code frameTimeoutMs} after its length
   * came (waiting for room included; checked a few times per deadline, at most once a second) calls
   * {@code timedOut} (the caller closes the connection, then calls {@link #end}). Call on the connection's context.
   */
  public LengthPrefixed bounded(Vertx v, FrameBudget shared, long timeoutMs, Runnable onTimeout) {
    this.vertx = v;
    this.context = v.getOrCreateContext();
    this.budget = shared;
    this.frameTimeoutMs = timeoutMs;
    this.timedOut = onTimeout;
    sweeper = v.setPeriodic(Math.max(50, Math.min(1000, timeoutMs / 4)), t -> {
      if (frameStartedNs >= 0 && System.nanoTime() - frameStartedNs > frameTimeoutMs * 1_000_000) {
        frameStartedNs = -1;
        timedOut.run();
      }
    });
    return this;
  }

  /**
   * Stops (or restarts) reading for {@code reason}: the socket is read only while no reason holds it. Use this, not
   * the socket's pause, which the parser undoes while a frame is incomplete.
   */
  public void hold(int reason, boolean on) {
    int was = holds;
    holds = on ? holds | reason : holds & ~reason;
    if (was == 0 && holds != 0) {
      parser.pause();
    } else if (was != 0 && holds == 0) {
      parser.resume();
    }
  }

  /** The connection ended: what its half-read frame held goes back to the budget. */
  public void end() {
    ended = true;
    stopClock();
    if (sweeper >= 0) {
      vertx.cancelTimer(sweeper);
      sweeper = -1;
    }
    if (waiter != null) {
      budget.cancel(waiter);
      waiter = null;
    }
    giveBack();
  }

  private void record(Buffer b) {
    if (atLength) {
      int length = b.getInt(0);
      if (length < minLength || length > maxLength.getAsLong()) {
        parser.pause();
        refused.accept(length);
        return;
      }
      atLength = false;
      startClock();
      if (budget != null && length > FrameBudget.SMALL) {
        hold(BUDGET, true); // holds at most what one read brought beyond the length
        waiter = budget.take(length, context, () -> admitted(length));
        if (waiter == null) {
          admitted(length);
        }
        return;
      }
      parser.fixedSizeMode(length);
      return;
    }
    atLength = true;
    stopClock();
    parser.fixedSizeMode(4);
    giveBack();
    frame.handle(b);
  }

  private void admitted(int length) {
    waiter = null;
    taken = length;
    if (ended) {
      giveBack();
      return;
    }
    parser.fixedSizeMode(length);
    hold(BUDGET, false);
  }

  private void giveBack() {
    if (taken > 0) {
      long t = taken;
      taken = 0;
      budget.give(t);
    }
  }

  private void startClock() {
    if (sweeper >= 0) {
      frameStartedNs = System.nanoTime();
    }
  }

  private void stopClock() {
    frameStartedNs = -1;
  }
}
