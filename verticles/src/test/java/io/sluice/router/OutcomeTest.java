package io.sluice.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.protocol.Streams;
import io.vertx.core.buffer.Buffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** What a door that answers whole (gRPC's ModelInfer, the bridge) makes of an outcome. */
class OutcomeTest {

  static Outcome whole(Outcome o) {
    AtomicReference<Outcome> got = new AtomicReference<>();
    o.whole(got::set);
    return got.get();
  }

  static Outcome streamed(String first, List<Buffer> rest, String failure) {
    return new Outcome(200, new LinkedHashMap<>(Map.of("content-type", "text/plain")), Buffer.buffer(first),
        Streams.replay(rest, failure));
  }

  @Test
  void aWholeAnswerPassesAsItIsAndAStreamIsGatheredWithinItsCap() {
    Outcome plain = new Outcome(200, new LinkedHashMap<>(), Buffer.buffer("x"));
    assertThat(whole(plain)).isSameAs(plain);

    Outcome gathered = whole(streamed("x", List.of(Buffer.buffer("y")), null));
    assertThat(gathered.rest()).isNull();
    assertThat(gathered.status()).isEqualTo(200);
    assertThat(gathered.headers()).containsEntry("content-type", "text/plain");
    assertThat(gathered.body().toString()).isEqualTo("xy");

    Outcome broken = whole(streamed("x", List.of(Buffer.buffer("y")), "run() raised"));
    assertThat(broken.status()).isEqualTo(500);
    assertThat(broken.body().toString()).contains("the streamed answer broke: run() raised");

    Outcome over = whole(streamed("x", List.of(Buffer.buffer(new byte[Streams.WHOLE_BYTES])), null));
    assertThat(over.status()).isEqualTo(500);
    assertThat(over.body().toString()).contains("over " + Streams.WHOLE_BYTES + " bytes");
  }
}
