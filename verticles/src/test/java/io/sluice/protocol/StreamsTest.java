package io.sluice.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.scorer.ChunkStream;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Streamed answers on their way: watched, gathered, held apart for the event bus and replayed. */
class StreamsTest {

  static List<Buffer> chunks(String... texts) {
    List<Buffer> out = new ArrayList<>();
    for (String t : texts) {
      out.add(Buffer.buffer(t));
    }
    return out;
  }

  @Test
  void aWatchedStreamTellsItsEndOnceAndKeepsWhatFits() throws Exception {
    List<String> told = new ArrayList<>();
    ChunkStream w = Streams.watch(Buffer.buffer("a"), Streams.replay(chunks("b", "c"), null), 10,
        (failure, cancelled, kept) -> told.add(failure + "/" + cancelled + "/" + kept));
    assertThat(Streams.gather(Buffer.buffer("a"), w, 100).toCompletableFuture().get().toString()).isEqualTo("abc");
    w.cancel(); // after its end: nothing more is told
    assertThat(told).containsExactly("null/false/abc");

    told.clear();
    ChunkStream small = Streams.watch(Buffer.buffer("a"), Streams.replay(chunks("bb", "cc"), null), 3,
        (failure, cancelled, kept) -> told.add(failure + "/" + cancelled + "/" + kept));
    Streams.gather(Buffer.buffer("a"), small, 100).toCompletableFuture().get();
    assertThat(told).as("over what it keeps: nothing kept").containsExactly("null/false/null");

    told.clear();
    ChunkStream broken = Streams.watch(Buffer.buffer("a"), Streams.replay(chunks("b"), "boom"), 10,
        (failure, cancelled, kept) -> told.add(failure + "/" + cancelled + "/" + kept));
    assertThatThrownBy(() -> Streams.gather(Buffer.buffer("a"), broken, 100).toCompletableFuture().get())
        .hasMessageContaining("boom");
    assertThat(told).containsExactly("boom/false/null");
  }

  @Test
  void gatheringStopsAtItsCap() throws Exception {
    assertThat(Streams.gather(Buffer.buffer("ab"), Streams.replay(chunks("cd", "ef"), null), 5)
        .toCompletableFuture().get()).isNull();
    assertThat(Streams.gather(Buffer.buffer("ab"), Streams.replay(chunks("cd"), null), 5)
        .toCompletableFuture().get().toString()).isEqualTo("abcd");
  }

  @Test
  void aStreamOfManyChunksInHandIsPulledWithoutGrowingTheStack() throws Exception {
    List<Buffer> many = new ArrayList<>();
    for (int i = 0; i < 200_000; i++) {
      many.add(Buffer.buffer("x"));
    }
    assertThat(Streams.gather(Buffer.buffer(), Streams.replay(many, null), 1 << 20).toCompletableFuture().get()
        .length()).isEqualTo(200_000);
  }

  /** Over the event bus a stream travels whole, but its chunks and its break arrive as they were. */
  @Test
  void theEventBusCarriesAStreamsChunksApartAndItsBreak() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      vertx.eventBus().<Buffer>consumer("s", m -> BusAnswers.reply(m, new Answer.Answered(200, false, false, 2.5, 0,
          "application/x-ndjson", Map.of(), Buffer.buffer("{\"i\": 0}\n"),
          Streams.replay(chunks("{\"i\": 1}\n", ""), m.body().toString().isEmpty() ? null : m.body().toString()))))
          .completion().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      for (String failure : new String[] {"", "run() raised"}) {
        Answer a = vertx.eventBus().<Buffer>request("s", Buffer.buffer(failure)).transform(ar ->
            io.vertx.core.Future.succeededFuture(BusAnswers.read(ar))).toCompletionStage().toCompletableFuture()
            .get(5, TimeUnit.SECONDS);
        Answer.Answered s = (Answer.Answered) a;
        assertThat(s.contentType()).isEqualTo("application/x-ndjson");
        assertThat(s.body().toString()).isEqualTo("{\"i\": 0}\n");
        assertThat(new String(s.rest().next().toCompletableFuture().get(), "UTF-8")).isEqualTo("{\"i\": 1}\n");
        assertThat(s.rest().next().toCompletableFuture().get()).as("an empty chunk stays a chunk").isEmpty();
        if (failure.isEmpty()) {
          assertThat(s.rest().next().toCompletableFuture().get()).isNull();
        } else {
          assertThatThrownBy(() -> s.rest().next().toCompletableFuture().get()).hasMessageContaining(failure);
        }
      }
    } finally {
      vertx.close();
    }
  }
}
