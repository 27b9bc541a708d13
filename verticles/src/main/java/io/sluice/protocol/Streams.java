package io.sluice.protocol;

import io.sluice.scorer.ChunkStream;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Streamed answers on their way: an {@link Answer.Answered} whose {@code rest} is not null carries its first chunk
 * as its body and the rest as a {@link ChunkStream}, pulled one chunk at a time by whoever writes it on (the
 * router's HTTP response, the scoring channel), so each hop holds at most a chunk or a few. Hops that cannot stream
 * (the event bus, gRPC's unary call, a mirror's comparison) gather it whole, within a cap.
 */
public final class Streams {
  /** The most of a streamed answer a hop that cannot stream gathers (the event bus, gRPC): 16 MiB. */
  public static final int WHOLE_BYTES = 16 << 20;

  private Streams() {
  }

  /** What became of a watched stream, told once: its end ({@code failure} null), a break, or a cancel. */
  public interface Ended {
    /** {@code kept}: the whole answer when it ended within the bytes kept, else null. */
    void ended(String failure, boolean cancelled, Buffer kept);
  }

  /**
   * {@code rest} as it passes: {@code ended} is told once, when the consumer pulled its end, saw it break or
   * cancelled it; with {@code keep} > 0 the answer ({@code first} and the chunks) is kept up to that many bytes.
   */
  public static ChunkStream watch(Buffer first, ChunkStream rest, int keep, Ended ended) {
    return new ChunkStream() {
      private final AtomicBoolean over = new AtomicBoolean();
      private Buffer kept = keep > 0 && first.length() <= keep ? Buffer.buffer().appendBuffer(first) : null;

      @Override
      public CompletionStage<byte[]> next() {
        return rest.next().whenComplete((b, err) -> {
          if (err != null) {
            end(message(err), false);
          } else if (b == null) {
            end(null, false);
          } else if (kept != null) {
            kept = kept.length() + b.length <= keep ? kept.appendBytes(b) : null;
          }
        });
      }

      @Override
      public void cancel() {
        rest.cancel();
        end(null, true);
      }

      @Override
      public CompletionStage<Void> over() {
        return rest.over();
      }

      private void end(String failure, boolean cancelled) {
        if (over.compareAndSet(false, true)) {
          ended.ended(failure, cancelled, cancelled || failure != null ? null : kept);
        }
      }
    };
  }

  /**
   * The whole answer: {@code first} and every chunk; null when it grew past {@code cap} bytes (the rest is then
   * cancelled); fails when the stream broke.
   */
  public static CompletionStage<Buffer> gather(Buffer first, ChunkStream rest, int cap) {
    CompletableFuture<Buffer> whole = new CompletableFuture<>();
    if (first.length() > cap) {
      rest.cancel();
      whole.complete(null);
      return whole;
    }
    Buffer into = Buffer.buffer(Math.max(256, first.length() * 2)).appendBuffer(first);
    drive(rest, (b, err) -> {
      if (err != null) {
        whole.completeExceptionally(err);
      } else if (b == null) {
        whole.complete(into);
      } else if (into.length() + b.length > cap) {
        rest.cancel();
        whole.complete(null);
      } else {
        into.appendBytes(b);
        return true;
      }
      return false;
    });
    return whole;
  }

  /**
   * Pulls {@code rest} chunk by chunk: {@code step} gets each chunk (null at the end) or the failure, and says
   * whether to pull the next. Chunks that are there at once are taken in a loop, not by recursion: a stream held
   * whole (thousands of chunks) must not grow the stack.
   */
  public static void drive(ChunkStream rest, java.util.function.BiPredicate<byte[], Throwable> step) {
    while (true) {
      CompletableFuture<byte[]> f = rest.next().toCompletableFuture();
      if (!f.isDone()) {
        f.whenComplete((b, err) -> {
          if (step.test(b, err)) {
            drive(rest, step);
          }
        });
        return;
      }
      byte[] b = null;
      Throwable err = null;
      try {
        b = f.join();
      } catch (RuntimeException e) {
        err = e.getCause() != null ? e.getCause() : e;
      }
      if (!step.test(b, err)) {
        return;
      }
    }
  }

  /** A streamed answer held whole, its chunks apart: the first, then the rest; {@code failure}: why it broke. */
  public record Held(java.util.List<Buffer> chunks, String failure) {
  }

  /**
   * Every chunk of a streamed answer, kept apart (the event bus carries a stream whole but its items still reach
   * the client one by one); past {@code cap} bytes the rest is cancelled and the stream counts as broken there.
   */
  public static CompletionStage<Held> hold(Buffer first, ChunkStream rest, int cap) {
    CompletableFuture<Held> held = new CompletableFuture<>();
    java.util.List<Buffer> chunks = new java.util.ArrayList<>();
    chunks.add(first);
    long[] bytes = {first.length()};
    drive(rest, (b, err) -> {
      if (err != null) {
        held.complete(new Held(chunks, message(err)));
      } else if (b == null) {
        held.complete(new Held(chunks, null));
      } else if (bytes[0] + b.length > cap) {
        rest.cancel();
        held.complete(new Held(chunks, "the streamed answer is over " + cap + " bytes, more than the event bus "
            + "carries"));
      } else {
        chunks.add(Buffer.buffer(b));
        bytes[0] += b.length;
        return true;
      }
      return false;
    });
    return held;
  }

  /** Chunks already in hand as a stream, ending with {@code failure} (null: well). */
  public static ChunkStream replay(java.util.List<Buffer> chunks, String failure) {
    java.util.Iterator<Buffer> it = chunks.iterator();
    return new ChunkStream() {
      @Override
      public CompletionStage<byte[]> next() {
        if (it.hasNext()) {
          return CompletableFuture.completedFuture(it.next().getBytes());
        }
        return failure == null ? CompletableFuture.completedFuture(null)
            : CompletableFuture.failedFuture(new java.io.IOException(failure));
      }

      @Override
      public void cancel() {
      }

      @Override
      public CompletionStage<Void> over() {
        return CompletableFuture.completedFuture(null);
      }
    };
  }

  /** {@code rest} with every pull completing on {@code context} (a router's event loop, a channel's socket). */
  public static ChunkStream on(Context context, ChunkStream rest) {
    return new ChunkStream() {
      @Override
      public CompletionStage<byte[]> next() {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        rest.next().whenComplete((b, err) -> Hop.to(context, () -> {
          if (err != null) {
            f.completeExceptionally(err);
          } else {
            f.complete(b);
          }
        }));
        return f;
      }

      @Override
      public void cancel() {
        rest.cancel();
      }

      @Override
      public CompletionStage<Void> over() {
        return rest.over();
      }
    };
  }

  /** The reason a stream broke, without the wrappers futures put around it. */
  public static String message(Throwable err) {
    Throwable t = err;
    while ((t instanceof java.util.concurrent.CompletionException
        || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }
}
