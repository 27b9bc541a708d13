package io.sluice.router;

import io.sluice.channel.ChannelFrames;
import io.sluice.scorer.ChunkStream;
import io.vertx.core.buffer.Buffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A streamed answer's rest as it comes from the other node: up to {@link #WINDOW} chunks are asked for ahead, and
 * one more each time the router's client takes one (the node sends chunks only against that credit). A gap of the
 * call's deadline without a chunk breaks it; so does the connection's loss. The connection's event loop only.
 */
final class RemoteStream implements ChunkStream {
  static final int WINDOW = 4;
  private final ChannelConnection connection;
  private final long id;
  private final long gapMs;
  private final java.util.ArrayDeque<Buffer> chunks = new java.util.ArrayDeque<>();
  private final CompletableFuture<Void> over = new CompletableFuture<>();
  private boolean ended;
  private String failure;
  private CompletableFuture<byte[]> waiting;
  private long timer = -1;

  RemoteStream(ChannelConnection connection, long id, long gapMs) {
    this.connection = connection;
    this.id = id;
    this.gapMs = gapMs;
  }

  @Override
  public CompletionStage<Void> over() {
    return over;
  }

  @Override
  public CompletionStage<byte[]> next() {
    Buffer b = chunks.poll();
    if (b != null) {
      credit();
      return CompletableFuture.completedFuture(b.getBytes());
    }
    if (ended) {
      return failure == null ? CompletableFuture.completedFuture(null)
          : CompletableFuture.failedFuture(new java.io.IOException(failure));
    }
    waiting = new CompletableFuture<>();
    timer = connection.vertx().setTimer(gapMs, t -> {
      timer = -1;
      cancel();
      settle("no chunk from node " + connection.node + " within " + gapMs + " ms");
    });
    return waiting;
  }

  void piece(ChannelFrames.Piece p) {
    if (p.bytes() == null) {
      connection.forget(id, this);
      ended = true;
      settle(p.failure());
    } else if (waiting != null) {
      CompletableFuture<byte[]> w = take();
      credit();
      w.complete(p.bytes().getBytes());
    } else {
      chunks.add(p.bytes());
    }
  }

  /** The stream is over ({@code failure} null: well): whoever waits is told. */
  void settle(String failure) {
    ended = true;
    this.failure = failure;
    over.complete(null);
    CompletableFuture<byte[]> w = take();
    if (w != null) {
      if (failure == null) {
        w.complete(null);
      } else {
        w.completeExceptionally(new java.io.IOException(failure));
      }
    }
  }

  private CompletableFuture<byte[]> take() {
    CompletableFuture<byte[]> w = waiting;
    waiting = null;
    if (timer >= 0) {
      connection.vertx().cancelTimer(timer);
      timer = -1;
    }
    return w;
  }

  private void credit() {
    if (!ended) {
      connection.send(ChannelFrames.more(id, 1));
    }
  }

  @Override
  public void cancel() {
    if (connection.forget(id, this)) {
      connection.send(ChannelFrames.cancel(id));
    }
    if (!ended) {
      ended = true;
      failure = "the stream was cancelled";
      chunks.clear();
    }
    over.complete(null);
  }
}
