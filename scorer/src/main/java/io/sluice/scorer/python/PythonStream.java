package io.sluice.scorer.python;

import io.sluice.scorer.ChunkStream;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A streamed answer's rest as its worker's thread reads it off the pipe: one chunk per pull, never ahead. While
 * nobody pulls, nothing is read, the pipe fills and the script's next write blocks: a slow client slows the
 * script, and no more than a pipe's worth waits anywhere. The worker's thread stays in {@link #pump} until the
 * stream ends; the deadline of each gap between chunks is the request's run budget, on either side: a script that
 * sends nothing for that long is killed (as an overrunning run() is), a consumer that takes nothing for that long
 * has the stream cancelled.
 */
final class PythonStream implements ChunkStream {
  private static final CompletableFuture<byte[]> CANCEL = new CompletableFuture<>();

  private final LinkedBlockingQueue<CompletableFuture<byte[]>> pulls = new LinkedBlockingQueue<>();
  private final long gapMs;
  private volatile boolean cancelled;
  /** Guarded by this: once over, every pull completes at once with {@code failure} (null: the end). */
  private boolean over;
  private String failure;
  private final CompletableFuture<Void> ended = new CompletableFuture<>();

  /** {@code gapMs}: the request's run budget; without one, a minute (a worker is never held by nobody forever). */
  PythonStream(long gapMs) {
    this.gapMs = gapMs > 0 ? gapMs : 60_000;
  }

  @Override
  public synchronized CompletionStage<byte[]> next() {
    CompletableFuture<byte[]> f = new CompletableFuture<>();
    if (over) {
      settle(f);
    } else {
      pulls.add(f);
    }
    return f;
  }

  @Override
  public CompletionStage<Void> over() {
    return ended;
  }

  @Override
  public void cancel() {
    cancelled = true;
    pulls.add(CANCEL);
  }

  /**
   * On the worker's thread: hands each pull the next chunk until the runner's end frame. {@code why}: what to say
   * when the process ends mid-stream (killed for a gap deadline, or exited). Rethrows what ended the process.
   */
  void pump(Conversation talk, Conversation.Sent sent, java.util.function.Supplier<String> why)
      throws IOException, InterruptedException {
    CompletableFuture<byte[]> pull = null;
    try {
      while (true) {
        pull = pulls.poll(gapMs, TimeUnit.MILLISECONDS);
        if (pull == null || pull == CANCEL || cancelled) {
          talk.cancel(sent.seq);
          drain(talk, sent);
          end(pull == null ? "the client took nothing for request_timeout_ms=" + gapMs + " ms: the stream was ended"
              : "the stream was cancelled");
          if (pull != null && pull != CANCEL) {
            settle(pull);
          }
          return;
        }
        talk.awaitChunk(sent);
        Conversation.Reply r = talk.read();
        if (r.header().has("chunk")) {
          pull.complete(r.bodies().get(0));
          continue;
        }
        end(r.header().path("error").asText(null));
        settle(pull);
        return;
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      end(why.get());
      if (pull != null && pull != CANCEL) {
        settle(pull);
      }
      throw e;
    }
  }

  /** After a cancel: what the script still sends is read and dropped, up to its end frame. */
  private static void drain(Conversation talk, Conversation.Sent sent) throws IOException {
    while (true) {
      talk.awaitChunk(sent);
      if (!talk.read().header().has("chunk")) {
        return;
      }
    }
  }

  private synchronized void end(String failure) {
    if (over) {
      return;
    }
    over = true;
    this.failure = failure;
    CompletableFuture<byte[]> f;
    while ((f = pulls.poll()) != null) {
      if (f != CANCEL) {
        settle(f);
      }
    }
    ended.complete(null);
  }

  private synchronized void settle(CompletableFuture<byte[]> f) {
    if (failure == null) {
      f.complete(null);
    } else {
      f.completeExceptionally(new IOException(failure));
    }
  }
}
