package io.sluice.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouterMetricsTest {

  @Test
  void countsPerDeploymentStatusAndMirrorAndForgetsGoneDeployments() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RouterMetrics m = new RouterMetrics(registry);
    long t0 = System.nanoTime();
    m.answered("e", "blue", 200, false, t0);
    m.answered("e", "blue", 200, false, t0);
    m.answered("e", "blue", 429, false, t0);
    m.answered("e", "green", 200, true, 0);
    m.compared("e", "green", io.sluice.mirror.AnswerComparison.Kind.AGREED);
    m.answered("e", "", 401, false, t0);
    assertEquals(2.0, registry.get("sluice.requests").tags("deployment", "blue", "status", "200", "mirror", "false")
        .counter().count());
    assertEquals(1.0, registry.get("sluice.requests").tags("deployment", "blue", "status", "429").counter().count());
    assertEquals(1.0, registry.get("sluice.requests").tags("deployment", "green", "mirror", "true").counter().count());
    assertEquals(3, registry.get("sluice.request.duration").tags("deployment", "blue").timer().count());
    assertNull(registry.find("sluice.request.duration").tags("deployment", "green").timer(), "mirrors are not timed");
    assertEquals(1.0, registry.get("sluice.mirror.comparisons").tags("result", "agreed").counter().count());

    m.retain(Set.of("e"), Set.of(new io.sluice.protocol.DeploymentKey("e", "blue")));
    assertNull(registry.find("sluice.requests").tags("deployment", "green").counter());
    assertNull(registry.find("sluice.mirror.comparisons").counter());
    assertEquals(1.0, registry.get("sluice.requests").tags("deployment", "", "status", "401").counter().count(),
        "the endpoint's own series (no deployment) stays while the endpoint does");

    m.answered("e", "green", 200, true, 0); // re-created: starts from zero, with a fresh meter
    assertEquals(1.0, registry.get("sluice.requests").tags("deployment", "green", "mirror", "true").counter().count());
    m.retain(Set.of(), Set.of());
    assertEquals(0, registry.find("sluice.requests").counters().size());
  }
}
