package io.sluice.scorer;

import java.util.concurrent.CompletionStage;

/**
 * The rest of a streamed answer, after its first chunk: what a run() that returned a generator yields, pulled one
 * chunk at a time. Nothing is read from the script ahead of what its consumer asked for, so a slow consumer slows
 * the script (backpressure) instead of filling memory.
 */
public interface ChunkStream {

  /**
   * The next chunk; null at the end. Fails, with the reason as its message, when the stream broke: the script
   * raised after its first chunk, no chunk came within the deadline, the worker died. At most one call may be
   * outstanding; call again only once it completed.
   */
  CompletionStage<byte[]> next();

  /**
   * The consumer wants no more (its client went away): the script is asked to stop and the rest is dropped. Any
   * thread, any number of times; a pull outstanding meanwhile still completes.
   */
  void cancel();

  /**
   * Completes when the stream is over, however it ended: its end was pulled, it broke, it was cancelled, or its
   * consumer took nothing for too long. What holds resources for a stream (an instance's in-flight count, which a
   * drain waits for) waits for this, not for its consumer.
   */
  CompletionStage<Void> over();
}
