package io.sluice.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.load.LoadPicture.Stats;
import io.sluice.rollout.Judge.Agreement;
import io.sluice.rollout.Judge.Criteria;
import io.sluice.rollout.Judge.Outcome;
import io.sluice.rollout.Judge.Verdict;
import org.junit.jupiter.api.Test;

class JudgeTest {
  static Stats stats(long ok, long serverErrors, double p99) {
    return new Stats(0, 29, ok, 3, 2, serverErrors, 0, p99 / 2, p99);
  }

  static final Criteria C = Criteria.DEFAULT;

  @Test
  void aGoodTargetPassesWithTheFiguresItWasJudgedOn() {
    Verdict v = Judge.judge(stats(200, 1, 10), stats(1800, 9, 9), null, C);
    assertThat(v.outcome()).isEqualTo(Outcome.PASS);
    assertThat(v.reasons()).isEmpty();
    assertThat(v.figures()).containsEntry("target_answers", 206L).containsEntry("target_error_rate", 0.498)
        .containsEntry("compared_with_live", true);
  }

  @Test
  void tooFewRequestsIsInconclusiveNeverAPass() {
    Verdict v = Judge.judge(stats(90, 0, 1), stats(900, 0, 1), null, C);
    assertThat(v.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    assertThat(v.reasons()).containsExactly("too few requests: 95 of the 100 needed");
  }

  @Test
  void errorsFailAbsolutelyAndRelativeToLive() {
    Verdict thirtyPercent = Judge.judge(stats(140, 60, 1), stats(1800, 0, 1), null, C);
    assertThat(thirtyPercent.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(thirtyPercent.reasons()).anyMatch(r -> r.startsWith("error rate 30.00% > max 1.00%"))
        .anyMatch(r -> r.startsWith("error rate 30.00% > live's 0.00% + 0.50"));
    // live itself fails 2 %: with an absolute limit of 5 %, the target's 2.2 % is within live's + 0.5
    Verdict both = Judge.judge(stats(978, 22, 1), stats(980, 20, 1), null, new Criteria(100, 5, 0.5, 1.5, 99));
    assertThat(both.outcome()).isEqualTo(Outcome.PASS);
  }

  @Test
  void aSlowTargetFailsOnP99AndAThinLiveSideIsNotCompared() {
    Verdict slow = Judge.judge(stats(500, 0, 30), stats(500, 0, 10), null, C);
    assertThat(slow.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(slow.reasons()).containsExactly("p99 30.00 ms > 1.50 x live's 10.00 ms");
    assertThat(Judge.judge(stats(500, 0, 1.0), stats(500, 0, 0.66), null, C).outcome())
        .as("sub-millisecond differences are noise").isEqualTo(Outcome.PASS);
    Verdict alone = Judge.judge(stats(500, 0, 30), stats(10, 0, 10), null, C);
    assertThat(alone.outcome()).isEqualTo(Outcome.PASS);
    assertThat(alone.figures()).containsEntry("compared_with_live", false);
  }

  @Test
  void whileMirroringAgreementIsJudgedOnTheComparedAnswers() {
    Stats copies = stats(495, 0, 1); // 500 mirrored copies answered
    assertThat(Judge.judge(copies, stats(1000, 0, 1), new Agreement(500, 499), C).outcome()).isEqualTo(Outcome.PASS);
    Verdict differs = Judge.judge(copies, stats(1000, 0, 1), new Agreement(500, 450), C);
    assertThat(differs.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(differs.reasons()).containsExactly("agreement 90.00% < 99.00% (450 of 500 mirrored answers agreed)");
    assertThat(Judge.judge(copies, stats(1000, 0, 1), new Agreement(40, 40), C).outcome())
        .as("460 copies too large to compare tell nothing of agreement").isEqualTo(Outcome.INCONCLUSIVE);
  }
}
