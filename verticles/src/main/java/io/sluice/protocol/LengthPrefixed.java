package io.sluice.protocol;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.core.streams.ReadStream;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

/**
 * Reads frames of a 4-byte big-endian length and that many bytes (the bridge's and the scoring channel's framing).
 * A length outside [{@code minLength}, {@code maxLength}] is refused before a byte of the frame is buffered: the
 * limit may change as the connection goes on (the channel allows more once the peer proved itself).
 */
public final class LengthPrefixed {
  private final RecordParser parser;
  private final int minLength;
  private final LongSupplier maxLength;
  private final Handler<Buffer> frame;
  private final IntConsumer refused;
  private boolean atLength = true;

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

  private void record(Buffer b) {
    if (atLength) {
      int length = b.getInt(0);
      if (length < minLength || length > maxLength.getAsLong()) {
        parser.pause();
        refused.accept(length);
        return;
      }
      atLength = false;
      parser.fixedSizeMode(length);
      return;
    }
    atLength = true;
    parser.fixedSizeMode(4);
    frame.handle(b);
  }
}
