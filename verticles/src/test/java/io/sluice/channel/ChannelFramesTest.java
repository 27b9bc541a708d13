package io.sluice.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.protocol.Answer;
import io.sluice.protocol.HttpParts;
import io.vertx.core.buffer.Buffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChannelFramesTest {

  /** The payload of a whole frame: after the length and the type, which the length must count. */
  static Buffer payload(Buffer frame, byte type) {
    assertThat(frame.getInt(0)).isEqualTo(frame.length() - 4);
    assertThat(frame.getByte(4)).isEqualTo(type);
    return frame.slice(5, frame.length());
  }

  @Test
  void aCallCarriesTheWholeRequest() {
    HttpParts http = new HttpParts("GET", "/score", "a=1&b=é", Map.of("content-type", "text/plain", "x-ü", "v"));
    ChannelFrames.Call c = new ChannelFrames.Call(42, "inst-1", "rid-1", http, true, false, Buffer.buffer("bødy"));
    ChannelFrames.Call back = ChannelFrames.call(payload(ChannelFrames.call(c), ChannelFrames.CALL));
    assertThat(back.id()).isEqualTo(42);
    assertThat(back.instance()).isEqualTo("inst-1");
    assertThat(back.requestId()).isEqualTo("rid-1");
    assertThat(back.http()).isEqualTo(http);
    assertThat(back.redirectable()).isTrue();
    assertThat(back.mirror()).isFalse();
    assertThat(back.body().toString()).isEqualTo("bødy");

    ChannelFrames.Call plain = ChannelFrames.call(payload(ChannelFrames.call(new ChannelFrames.Call(-1, "i", null,
        HttpParts.POST, false, true, Buffer.buffer())), ChannelFrames.CALL));
    assertThat(plain.requestId()).isNull();
    assertThat(plain.http().plainPost()).isTrue();
    assertThat(plain.mirror()).isTrue();
    assertThat(plain.body().length()).isZero();
  }

  @Test
  void answersAndFailuresComeBackAsSent() {
    Answer.Answered a = new Answer.Answered(424, true, true, 1.5, 0.25, "text/csv", Map.of("x-made", "yes"),
        Buffer.buffer("a,b"));
    ChannelFrames.Reply r = back(7, a);
    assertThat(r.id()).isEqualTo(7);
    assertThat(r.answer()).isEqualTo(a);

    assertThat(back(9, new Answer.NeverRan("drained"))).isEqualTo(new ChannelFrames.Reply(9,
        new Answer.NeverRan("drained"), false));
    assertThat(back(10, new Answer.Failed(false, "worker died"))).isEqualTo(new ChannelFrames.Reply(10,
        new Answer.Failed(false, "worker died"), false));
  }

  @Test
  void aStreamsHeadCreditChunksEndAndCancelComeBackAsSent() {
    io.sluice.scorer.ChunkStream rest = new io.sluice.scorer.ChunkStream() {
      @Override
      public java.util.concurrent.CompletionStage<byte[]> next() {
        return java.util.concurrent.CompletableFuture.completedFuture(null);
      }

      @Override
      public void cancel() {
      }

      @Override
      public java.util.concurrent.CompletionStage<Void> over() {
        return new java.util.concurrent.CompletableFuture<>();
      }
    };
    Answer.Answered head = new Answer.Answered(200, false, false, 2.5, 0, "application/x-ndjson", Map.of(),
        Buffer.buffer("{\"i\": 0}\n"), rest);
    ChannelFrames.Reply r = back(11, head);
    assertThat(r.streamed()).isTrue();
    assertThat(r.answer()).isEqualTo(head.withRest(null, head.body()));
    assertThat(back(12, head.withRest(null, head.body())).streamed()).as("a whole answer").isFalse();

    Buffer more = ChannelFrames.more(11, 4);
    assertThat(more.getByte(4)).isEqualTo(ChannelFrames.MORE);
    assertThat(ChannelFrames.streamId(more.slice(5, more.length()))).isEqualTo(11);
    assertThat(ChannelFrames.credit(more.slice(5, more.length()))).isEqualTo(4);
    assertThatThrownBy(() -> ChannelFrames.credit(ChannelFrames.more(11, 1000).slice(5, 17)))
        .hasMessageContaining("a credit of 1000 chunks");
    Buffer cancel = ChannelFrames.cancel(11);
    assertThat(ChannelFrames.streamId(cancel.slice(5, cancel.length()))).isEqualTo(11);

    Buffer chunk = ChannelFrames.chunk(11, "{\"i\": 1}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    ChannelFrames.Piece c = ChannelFrames.piece(chunk.getByte(4), chunk.slice(5, chunk.length()));
    assertThat(c.id()).isEqualTo(11);
    assertThat(c.bytes().toString()).isEqualTo("{\"i\": 1}\n");
    Buffer end = ChannelFrames.end(11, "run() raised");
    ChannelFrames.Piece e = ChannelFrames.piece(end.getByte(4), end.slice(5, end.length()));
    assertThat(e.bytes()).isNull();
    assertThat(e.failure()).isEqualTo("run() raised");
    Buffer well = ChannelFrames.end(11, null);
    assertThat(ChannelFrames.piece(well.getByte(4), well.slice(5, well.length())).failure()).isNull();
  }

  private static ChannelFrames.Reply back(long id, Answer a) {
    Buffer frame = ChannelFrames.answer(id, a);
    return ChannelFrames.reply(frame.getByte(4), frame.slice(5, frame.length()));
  }

  @Test
  void aFieldThatRunsPastItsFrameIsRefused() {
    Buffer p = payload(ChannelFrames.call(new ChannelFrames.Call(1, "instance", "r", HttpParts.POST, false, false,
        Buffer.buffer())), ChannelFrames.CALL);
    Buffer cut = p.slice(0, 14); // the instance's length says 8 bytes, 1 is there
    assertThatThrownBy(() -> ChannelFrames.call(cut)).isInstanceOf(IndexOutOfBoundsException.class);
    Buffer lying = p.copy().setInt(8 + 1 + (4 + 8) + (4 + 1) + (4 + 4) + (4 + 6) + 4, 1_000_000); // header count
    assertThatThrownBy(() -> ChannelFrames.call(lying)).isInstanceOf(IndexOutOfBoundsException.class);
  }
}
