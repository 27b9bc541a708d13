package io.sluice.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.protocol.EndpointDoc;
import io.sluice.protocol.ValidationException;
import io.sluice.rollout.Judge.Outcome;
import io.sluice.rollout.Judge.Verdict;
import io.sluice.rollout.RolloutMachine.Move;
import io.sluice.rollout.RolloutState.Status;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RolloutMachineTest {
  static final EndpointDoc EP = EndpointDoc.fromJson(new JsonObject().put("name", "my-ep").put("auth_mode", "key")
      .put("traffic", new JsonObject().put("blue", 100)).put("mirror_traffic", new JsonObject()));
  static final Set<String> DEPS = Set.of("blue", "green");
  static final Verdict PASS = new Verdict(Outcome.PASS, List.of(), Map.of("target_answers", 500L));
  static final Verdict FAIL = new Verdict(Outcome.FAIL, List.of("error rate 30.00% > max 1.00%"), Map.of());
  static final Verdict THIN = new Verdict(Outcome.INCONCLUSIVE, List.of("too few requests: 3 of the 100 needed"),
      Map.of());

  static RolloutPlan plan(JsonObject spec) {
    return RolloutPlan.parse(spec.put("deployment", "green"), EP, DEPS);
  }

  @Test
  void aGoodRolloutWalksItsStepsAndEndsOnTheTarget() {
    RolloutPlan p = plan(new JsonObject().put("steps", "10 50 100").put("interval", "5s"));
    Move m = RolloutMachine.start("my-ep", p, EP.traffic(), EP.mirror(), 1000);
    assertThat(m.traffic()).isEqualTo(Map.of("green", 10, "blue", 90));
    assertThat(RolloutMachine.due(m.state(), 1006)).as("5 s window + 2 s for the last reports").isFalse();
    assertThat(RolloutMachine.due(m.state(), 1007)).isTrue();
    assertThat(RolloutMachine.windowFrom(m.state())).isEqualTo(1001);
    assertThat(RolloutMachine.windowEnd(m.state())).isEqualTo(1005);
    m = RolloutMachine.judged(m.state(), PASS, 1005);
    assertThat(m.traffic()).isEqualTo(Map.of("green", 50, "blue", 50));
    assertThat(m.state().windowStart()).isEqualTo(1005);
    m = RolloutMachine.judged(RolloutMachine.judged(m.state(), PASS, 1010).state(), PASS, 1015);
    assertThat(m.state().status()).isEqualTo(Status.Succeeded);
    assertThat(m.traffic()).isEqualTo(Map.of("green", 100, "blue", 0));
    assertThat(m.state().verdicts()).extracting(v -> v.getString("step")).containsExactly("10%", "50%", "100%");
    RolloutState back = RolloutState.fromJson(m.state().toJson());
    assertThat(back.toJson()).isEqualTo(m.state().toJson());
  }

  @Test
  void aFailureRestoresTheMapsFromBeforeAtOnce() {
    Map<String, Integer> mirror = Map.of("red", 10);
    Move m = RolloutMachine.start("my-ep", plan(new JsonObject()), EP.traffic(), mirror, 0);
    m = RolloutMachine.judged(m.state(), FAIL, 30);
    assertThat(m.state().status()).isEqualTo(Status.RolledBack);
    assertThat(m.traffic()).isEqualTo(Map.of("blue", 100));
    assertThat(m.mirror()).isEqualTo(mirror);
    assertThat(m.state().reason()).isEqualTo("step 10% failed: error rate 30.00% > max 1.00%");
  }

  @Test
  void inconclusiveWindowsAreJudgedAgainThenThePolicyApplies() {
    RolloutPlan hold = plan(new JsonObject().put("max_inconclusive", 2));
    Move m = RolloutMachine.judged(RolloutMachine.start("my-ep", hold, EP.traffic(), EP.mirror(), 0).state(), THIN, 30);
    assertThat(m.state().status()).isEqualTo(Status.Running);
    assertThat(m.state().step()).isZero();
    m = RolloutMachine.judged(m.state(), THIN, 60);
    assertThat(m.state().status()).isEqualTo(Status.Paused);
    assertThat(m.traffic()).as("held at its step").isEqualTo(Map.of("green", 10, "blue", 90));
    assertThat(RolloutMachine.resume(m.state(), 100).state().status()).isEqualTo(Status.Running);
    RolloutPlan rollback = plan(new JsonObject().put("max_inconclusive", 1).put("on_inconclusive", "rollback"));
    m = RolloutMachine.judged(RolloutMachine.start("my-ep", rollback, EP.traffic(), EP.mirror(), 0).state(), THIN, 30);
    assertThat(m.state().status()).isEqualTo(Status.RolledBack);
    assertThat(m.traffic()).isEqualTo(Map.of("blue", 100));
  }

  @Test
  void mirrorFirstMirrorsWithoutLiveTrafficThenStepsIn() {
    Move m = RolloutMachine.start("my-ep", plan(new JsonObject().put("mirror_first", 20)), EP.traffic(),
        EP.mirror(), 0);
    assertThat(m.state().stepLabel()).isEqualTo("mirror 20%");
    assertThat(m.traffic()).isEqualTo(Map.of("blue", 100));
    assertThat(m.mirror()).isEqualTo(Map.of("green", 20));
    m = RolloutMachine.judged(m.state(), PASS, 30);
    assertThat(m.traffic()).isEqualTo(Map.of("green", 10, "blue", 90));
    assertThat(m.mirror()).isEmpty();
    assertThat(RolloutMachine.abort(m.state()).traffic()).isEqualTo(Map.of("blue", 100));
  }

  @Test
  void badStartsAreRefusedNamingTheFieldAndTheRule() {
    assertThatThrownBy(() -> RolloutPlan.parse(new JsonObject().put("deployment", "red"), EP, DEPS))
        .isInstanceOf(ValidationException.class).hasMessageStartingWith("deployment: 'red' is not a deployment");
    assertThatThrownBy(() -> plan(new JsonObject().put("steps", "10 50 40 100")))
        .hasMessageStartingWith("steps: percents from 1 to 100, each larger than the one before");
    assertThatThrownBy(() -> plan(new JsonObject().put("steps", new JsonArray().add(10).add(50))))
        .hasMessageStartingWith("steps: must end at 100");
    assertThatThrownBy(() -> plan(new JsonObject().put("interval", "2d"))).hasMessageStartingWith("interval: ");
    assertThatThrownBy(() -> plan(new JsonObject().put("interval", "16m")))
        .hasMessage("interval: from 1s to 900s; got '16m'");
    assertThatThrownBy(() -> plan(new JsonObject().put("mirror_first", 60)))
        .hasMessage("mirror_first: a number from 0 to 50; got '60'");
    assertThatThrownBy(() -> plan(new JsonObject().put("on_inconclusive", "maybe")))
        .hasMessage("on_inconclusive: 'hold' or 'rollback'; got 'maybe'");
    assertThatThrownBy(() -> plan(new JsonObject().put("speed", "fast"))).hasMessageStartingWith("speed: unknown field");
    EndpointDoc noLive = EndpointDoc.fromJson(EP.toJson().put("traffic", new JsonObject().put("green", 100)));
    assertThatThrownBy(() -> RolloutPlan.parse(new JsonObject().put("deployment", "green"), noLive, DEPS))
        .hasMessageStartingWith("traffic: endpoint 'my-ep' has no live deployment besides 'green'");
  }

  @Test
  void aReplayThatCannotRunIsInconclusiveAndTheRolloutEndsByItsPlan() {
    RolloutPlan p = plan(new JsonObject().put("replay_first", 50).put("max_inconclusive", 2)
        .put("on_inconclusive", "rollback"));
    Move m = RolloutMachine.start("my-ep", p, EP.traffic(), EP.mirror(), 0);
    assertThat(RolloutMachine.replaying(m.state())).isTrue();
    Verdict cannot = ReplayJudge.couldNotRun(new javax.net.ssl.SSLHandshakeException("PKIX path building failed"));
    assertThat(cannot.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    m = RolloutMachine.judged(m.state(), cannot, 5);
    assertThat(RolloutMachine.replaying(m.state())).as("tried again").isTrue();
    m = RolloutMachine.judged(m.state(), cannot, 10);
    assertThat(m.state().status()).isEqualTo(Status.RolledBack);
    assertThat(m.state().reason()).contains("the replay could not run: PKIX path building failed");
    assertThat(m.traffic()).as("the candidate never took a request").isEqualTo(Map.of("blue", 100));
  }
}
