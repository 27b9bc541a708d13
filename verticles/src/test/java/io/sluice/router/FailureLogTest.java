package io.sluice.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.protocol.Answer;
import io.sluice.protocol.DeploymentKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A failing deployment under load writes one line per reason per 10 s, with the count, not one per request. */
class FailureLogTest {
  long now = 1_000_000_000_000L;
  final List<String> lines = new ArrayList<>();
  final FailureLog log = new FailureLog(() -> now, lines::add);

  @Test
  void oneLinePerDeploymentPerReasonPerWindowWithTheCount() {
    for (int i = 0; i < 1000; i++) {
      log.failed("ep", "blue", new Answer.Failed(false, "worker died " + i));
      log.failed("ep", "blue", new Answer.NeverRan("draining"));
      log.failed("ep", "blue", new Answer.Failed(true, "timed out")); // the deployment's own limit: not logged
    }
    log.failed("ep", "green", new Answer.NeverRan("draining"));
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).contains("ep/blue failed: 1 request").contains("worker died 0");

    now += FailureLog.WINDOW_NANOS - 1;
    log.failed("ep", "blue", new Answer.Failed(false, "worker died again"));
    assertThat(lines).hasSize(3);
    now += 1;
    log.failed("ep", "blue", new Answer.Failed(false, "worker died again"));
    assertThat(lines).hasSize(4);
    assertThat(lines.get(3)).contains("ep/blue failed: 1001 requests").contains("worker died again");
  }

  @Test
  void forgetsDeploymentsNoLongerRouted() {
    log.failed("ep", "blue", new Answer.NeverRan("x"));
    log.retain(Set.of(new DeploymentKey("ep", "green")));
    log.failed("ep", "blue", new Answer.NeverRan("x"));
    assertThat(lines).as("a forgotten deployment starts a new window").hasSize(2);
  }
}
