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
        new Answer.NeverRan("drained")));
    assertThat(back(10, new Answer.Failed(false, "worker died"))).isEqualTo(new ChannelFrames.Reply(10,
        new Answer.Failed(false, "worker died")));
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
