package io.sluice.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sluice.load.LoadPicture.Key;
import io.sluice.load.LoadPicture.Stats;
import io.sluice.protocol.LoadReport;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The load path alone: a router's recorder, the report on the wire, and the merged, bounded picture. */
class LoadPictureTest {
  static final Key BLUE = new Key("ep", "blue", false);

  static LoadReport report(String router, long second, int ok, int serverErrors, long latencyMs) {
    return report(router, second, ok, serverErrors, latencyMs, 3);
  }

  static LoadReport report(String router, long second, int ok, int serverErrors, long latencyMs, int inFlight) {
    LoadRecorder r = new LoadRecorder(router);
    for (int i = 0; i < ok; i++) {
      r.record("ep", "blue", false, 200, latencyMs * 1_000_000);
    }
    for (int i = 0; i < serverErrors; i++) {
      r.record("ep", "blue", false, 500, latencyMs * 1_000_000);
    }
    return LoadReport.fromJson(r.flush(second, (e, d) -> inFlight).toJson()); // through its JSON, as on the event bus
  }

  @Test
  void answersCountByKindAndTheRecorderStartsAfreshEachSecond() {
    LoadRecorder r = new LoadRecorder("r1");
    for (int status : new int[] {200, 201, 400, 401, 404, 413, 429, 408, 424, 500, 503}) {
      r.record("ep", "blue", false, status, 1_000_000);
    }
    r.record("ep", "green", true, 200, 2_000_000);
    LoadReport first = r.flush(100, (e, d) -> d.equals("blue") ? 2 : 0);
    LoadReport.DeploymentLoad blue = first.deployments().stream().filter(d -> !d.mirror()).findFirst().orElseThrow();
    assertThat(List.of(blue.ok(), blue.clientErrors(), blue.throttled(), blue.serverErrors()))
        .containsExactly(2L, 4L, 1L, 4L);
    assertThat(blue.inFlight()).isEqualTo(2);
    assertThat(first.deployments()).anyMatch(d -> d.mirror() && d.deployment().equals("green") && d.inFlight() == 0);
    LoadReport second = r.flush(101, (e, d) -> d.equals("blue") ? 1 : 0);
    assertThat(second.deployments()).as("green idle: dropped; blue idle but still in flight: kept")
        .extracting(LoadReport.DeploymentLoad::deployment).containsExactly("blue");
    assertThat(second.deployments().get(0).ok()).isZero();
    assertThat(r.flush(102, (e, d) -> 0).deployments()).isEmpty();
  }

  @Test
  void routersAreMergedPerSecondAndLatenciesPerWindow() {
    LoadPicture p = new LoadPicture(900, 100);
    p.add(report("r1", 1000, 100, 0, 1), 1000);
    p.add(report("r2", 1000, 98, 2, 10), 1000);
    p.add(report("r1", 1001, 50, 0, 1), 1001);
    Stats w = p.window(BLUE, 1000, 1001);
    assertThat(w.ok()).isEqualTo(248);
    assertThat(w.serverErrors()).isEqualTo(2);
    assertThat(w.errorRatePercent()).isCloseTo(0.8, within(1e-9));
    assertThat(w.p50Ms()).isCloseTo(1.0, within(0.02));
    assertThat(w.p99Ms()).isCloseTo(10.0, within(0.1));
    assertThat(p.series(BLUE, 0, 2000)).extracting(Stats::answers).containsExactly(200L, 50L);
    assertThat(p.series(BLUE, 0, 2000).get(0).inFlight()).as("both routers' in-flight, summed").isEqualTo(6);
    assertThat(p.window(new Key("ep", "blue", true), 0, 2000).answers()).as("mirror copies are a series apart")
        .isZero();
  }

  @Test
  void lateReportsLandInTheirSecondAndOldOnesAreDropped() {
    LoadPicture p = new LoadPicture(60, 100);
    p.add(report("r1", 1005, 5, 0, 1), 1005);
    p.add(report("r2", 1003, 3, 0, 1), 1005);
    p.add(report("r3", 1004, 4, 0, 1), 1005);
    p.add(report("r4", 900, 9, 0, 1), 1005);
    assertThat(p.series(BLUE, 0, 2000)).extracting(Stats::fromSecond).containsExactly(1003L, 1004L, 1005L);
  }

  @Test
  void memoryIsBoundedByTheRetentionAndTheNumberOfSeries() {
    LoadPicture p = new LoadPicture(60, 3);
    for (long s = 0; s < 1000; s++) {
      p.add(report("r1", s, 1, 0, 1), s);
    }
    assertThat(p.series(BLUE, 0, 2000)).hasSize(60);
    for (int i = 0; i < 10; i++) {
      LoadRecorder r = new LoadRecorder("r1");
      r.record("ep", "d" + i, false, 200, 1_000_000);
      p.add(r.flush(999, (e, d) -> 0), 999);
    }
    assertThat(p.keys()).hasSize(3).extracting(Key::deployment).containsExactly("d7", "d8", "d9");
  }

  @Test
  void aMalformedHistogramCountsWithoutLatencies() {
    LoadPicture p = new LoadPicture(60, 10);
    p.add(new LoadReport("r1", 10, List.of(new LoadReport.DeploymentLoad("ep", "blue", false, 7, 0, 0, 0, 0,
        "not base64!", null))), 10);
    Stats w = p.window(BLUE, 0, 20);
    assertThat(w.ok()).isEqualTo(7);
    assertThat(w.p99Ms()).isZero();
  }

  @Test
  void eachRoutersShareOfADeploymentsAnswersIsItsOwnCountOverTheClusters() {
    LoadPicture p = new LoadPicture(900, 100);
    OwnLoad r1 = new OwnLoad();
    OwnLoad r2 = new OwnLoad();
    for (long t = 100; t < 103; t++) {
      LoadReport a = report("r1", t, 30, 0, 1);
      LoadReport b = report("r2", t, 10, 0, 1);
      r1.add(a);
      r2.add(b);
      p.add(a, t);
      p.add(b, t);
    }
    io.sluice.protocol.DeploymentKey blue = new io.sluice.protocol.DeploymentKey("ep", "blue");
    assertThat(p.shares(r1, 100, 102, 30)).containsEntry(blue, 0.75);
    assertThat(p.shares(r2, 100, 102, 30)).containsEntry(blue, 0.25);
    assertThat(p.shares(new OwnLoad(), 100, 102, 30)).as("a router that answered none").containsEntry(blue, 0.0);
    // too few answers to tell: no share (the router keeps the whole limit)
    assertThat(p.shares(r1, 100, 102, 1000)).isEmpty();
    r1.add(report("r1", 103, 30, 0, 1));
    assertThat(p.shares(r1, 101, 103, 30)).as("a second the digests have not brought yet: never more than all")
        .containsEntry(blue, 1.0);
  }

  @Test
  void whatTheOtherRoutersHoldInFlightIsTheClustersLessItsOwn() {
    LoadPicture p = new LoadPicture(900, 100);
    OwnLoad r1 = new OwnLoad();
    LoadReport mine = report("r1", 100, 5, 0, 1); // every report says 3 in flight unless told
    r1.add(mine);
    p.add(mine, 100);
    p.add(report("r2", 100, 5, 0, 1), 100);
    p.add(report("r2", 101, 5, 0, 1), 101);
    io.sluice.protocol.DeploymentKey blue = new io.sluice.protocol.DeploymentKey("ep", "blue");
    assertThat(p.inFlightElsewhere(r1, 100, 100)).containsEntry(blue, 3);
    assertThat(p.inFlightElsewhere(new OwnLoad(), 100, 100)).containsEntry(blue, 6);
    assertThat(p.inFlightElsewhere(new OwnLoad(), 100, 101)).as("r1 said nothing at 101: none in flight there")
        .containsEntry(blue, 3);
    p.add(report("r2", 102, 5, 0, 1, 7), 102);
    p.add(report("r2", 103, 5, 0, 1, 1), 103);
    assertThat(p.inFlightElsewhere(r1, 102, 103)).as("a burst in one report: the least counts").containsEntry(blue, 1);
    assertThat(p.inFlightElsewhere(r1, 200, 201)).as("nobody reported: nothing in flight").containsEntry(blue, 0);
  }

  @Test
  void anHourIsKeptInTenSecondSlicesBesideThePerSecondRetention() {
    LoadPicture p = new LoadPicture(60, 10);
    for (long t = 1000; t < 5000; t++) {
      p.add(report("r1", t, 2, t % 10 == 0 ? 1 : 0, 1), t);
    }
    assertThat(p.history(List.of(BLUE), 0, 5000, 1)).as("per second: the retention").hasSize(60);
    List<LoadPicture.Slice> coarse = p.history(List.of(BLUE), 0, 5000, LoadPicture.COARSE_SECONDS);
    assertThat(coarse).as("ten-second slices over the last hour").hasSize(360);
    assertThat(coarse.get(0).stats().fromSecond()).isEqualTo(1400);
    assertThat(coarse.get(0).stats().toSecond()).isEqualTo(1409);
    assertThat(coarse.get(0).stats().ok()).isEqualTo(20);
    assertThat(coarse.get(0).stats().serverErrors()).isEqualTo(1);
    assertThat(p.total(List.of(BLUE), 4000, 4999, LoadPicture.COARSE_SECONDS).stats().answers()).isEqualTo(2100);
  }

  @Test
  void aHistoryOfSeveralSeriesSumsThemAndCountsMirrorAgreement() {
    LoadPicture p = new LoadPicture(900, 10);
    LoadRecorder r = new LoadRecorder("r1");
    r.record("ep", "blue", false, 200, 1_000_000);
    r.record("ep", "green", false, 200, 9_000_000);
    r.record("ep", "green", false, 500, 9_000_000);
    r.compared("ep", "shadow", io.sluice.mirror.AnswerComparison.Kind.AGREED, null);
    r.compared("ep", "shadow", io.sluice.mirror.AnswerComparison.Kind.VALUE, null);
    r.compared("ep", "shadow", io.sluice.mirror.AnswerComparison.Kind.AGREED, null);
    r.compared("ep", "shadow", io.sluice.mirror.AnswerComparison.Kind.NOT_COMPARED, null);
    p.add(LoadReport.fromJson(r.flush(100, (e, d) -> 0).toJson()), 100);
    List<LoadPicture.Slice> both = p.history(List.of(BLUE, new Key("ep", "green", false)), 0, 200, 1);
    assertThat(both).hasSize(1);
    assertThat(both.get(0).stats().answers()).isEqualTo(3);
    assertThat(both.get(0).stats().p99Ms()).isCloseTo(9.0, within(0.1));
    LoadPicture.Slice mirror = p.history(List.of(new Key("ep", "shadow", true)), 0, 200, 1).get(0);
    assertThat(mirror.compared()).as("not compared is not counted").isEqualTo(3);
    assertThat(mirror.agreed()).isEqualTo(2);
    assertThat(p.history(List.of(BLUE), 0, 200, 10)).hasSize(1);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.history(List.of(BLUE), 0, 200, 5))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
