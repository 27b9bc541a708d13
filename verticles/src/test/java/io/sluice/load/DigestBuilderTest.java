package io.sluice.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.load.LoadPicture.Key;
import io.sluice.load.LoadPicture.Stats;
import io.sluice.mirror.AnswerComparison;
import io.sluice.protocol.LoadDigest;
import io.sluice.protocol.LoadReport;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A load hub's digests: what a node that hears only them sees is what the hub saw from the routers themselves. */
class DigestBuilderTest {
  static final Key BLUE = new Key("ep", "blue", false);
  static final Key SHADOW = new Key("ep", "shadow", true);

  /** Router {@code i}'s report of {@code second}: i+1 answers of 1 ms .. (i+1) ms, one 500, 2 in flight, 6 samples. */
  static LoadReport router(int i, long second) {
    LoadRecorder r = new LoadRecorder("r" + i);
    for (int n = 0; n <= i; n++) {
      r.record("ep", "blue", false, 200, (n + 1) * 1_000_000L);
    }
    r.record("ep", "blue", false, 500, 50_000_000L);
    for (int n = 0; n < 6; n++) {
      r.compared("ep", "shadow", n % 2 == 0 ? AnswerComparison.Kind.AGREED : AnswerComparison.Kind.VALUE,
          new JsonObject().put("router", i).put("n", n));
    }
    return LoadReport.fromJson(r.flush(second, (e, d) -> 2).toJson());
  }

  @Test
  void aNodeThatHearsOnlyDigestsSeesWhatTheHubSaw() {
    LoadPicture hub = new LoadPicture(900, 100);
    LoadPicture elsewhere = new LoadPicture(900, 100);
    DigestBuilder digest = new DigestBuilder();
    List<LoadDigest> sent = new ArrayList<>();
    for (long t = 100; t < 104; t++) {
      for (int i = 0; i < 10; i++) {
        LoadReport r = router(i, t);
        hub.add(r, t);
        digest.add(r, LoadPicture.latencies(r));
        if (i == 4) { // the hub's tick falls between two routers' reports of the same second
          sent.add(LoadDigest.fromJson(digest.drain("hub").toJson()));
        }
      }
    }
    sent.add(LoadDigest.fromJson(digest.drain("hub").toJson()));
    assertThat(digest.isEmpty()).isTrue();
    sent.forEach(d -> d.seconds().forEach(r -> elsewhere.add(r, 104)));

    Stats there = hub.window(BLUE, 100, 103);
    Stats here = elsewhere.window(BLUE, 100, 103);
    assertThat(here.ok()).isEqualTo(there.ok()).isEqualTo(4 * 55);
    assertThat(here.serverErrors()).isEqualTo(there.serverErrors()).isEqualTo(40);
    assertThat(here.p50Ms()).isEqualTo(there.p50Ms());
    assertThat(here.p99Ms()).isEqualTo(there.p99Ms());
    assertThat(elsewhere.window(BLUE, 103, 103).inFlight()).as("every router's in flight, parts added")
        .isEqualTo(hub.window(BLUE, 103, 103).inFlight()).isEqualTo(20);
    LoadReport.Comparison c = elsewhere.comparison(SHADOW, 100, 103);
    assertThat(c.agreed()).isEqualTo(hub.comparison(SHADOW, 100, 103).agreed()).isEqualTo(120);
    assertThat(c.value()).isEqualTo(120);
    assertThat(c.samples()).isNotEmpty();
  }

  @Test
  void aDigestWeighsWhatItsDeploymentsDoNotWhatItsRouters() {
    int[] sizes = new int[2];
    int[] routers = {3, 30};
    for (int k = 0; k < 2; k++) {
      DigestBuilder digest = new DigestBuilder();
      for (int i = 0; i < routers[k]; i++) {
        LoadReport r = router(i % 3, 100);
        digest.add(r, LoadPicture.latencies(r));
      }
      LoadDigest d = digest.drain("hub");
      assertThat(d.seconds()).hasSize(1);
      assertThat(d.seconds().get(0).deployments()).hasSize(2);
      assertThat(d.seconds().get(0).deployments().stream().filter(x -> x.mirror()).findFirst().orElseThrow()
          .comparison().samples()).hasSizeLessThanOrEqualTo(DigestBuilder.SAMPLES);
      sizes[k] = d.toJson().encode().length();
    }
    // ten times the routers: the counts get a digit or two longer, the samples stop at their cap
    assertThat(sizes[1]).as("3 routers: %d bytes; 30: %d", sizes[0], sizes[1]).isLessThan(2 * sizes[0]);
  }
}
