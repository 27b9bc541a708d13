package io.sluice.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** How a streamed item becomes a server-sent event. */
class StreamedResponseTest {

  @Test
  void eachLineIsADataLineAndAJsonLinesOwnNewlineEndsTheEvent() {
    assertThat(StreamedResponse.event(null, Buffer.buffer("{\"i\": 0}\n")).toString())
        .isEqualTo("data: {\"i\": 0}\n\n");
    assertThat(StreamedResponse.event(null, Buffer.buffer("two\r\nlines")).toString())
        .isEqualTo("data: two\ndata: lines\n\n");
    assertThat(StreamedResponse.event(null, Buffer.buffer("")).toString()).isEqualTo("data: \n\n");
    assertThat(StreamedResponse.event("error", Buffer.buffer("{\"message\":\"x\"}")).toString())
        .isEqualTo("event: error\ndata: {\"message\":\"x\"}\n\n");
  }
}
