package io.sluice.router;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AdmissionShareTest {
  @Test
  void aRouterAdmitsItsShareOfTheLimitNeverBelowTheFloor() {
    assertThat(AdmissionShare.limit(16, null)).as("no picture yet: the whole limit").isEqualTo(16);
    assertThat(AdmissionShare.limit(16, 1.0)).isEqualTo(16);
    assertThat(AdmissionShare.limit(16, 0.75)).isEqualTo(12);
    assertThat(AdmissionShare.limit(16, 1 / 3.0)).isEqualTo(5); // three routers: 15 together (rounded down)
    assertThat(AdmissionShare.limit(16, 0.0)).as("the floor, 10 %").isEqualTo(2);
    assertThat(AdmissionShare.limit(2, 0.0)).as("at least one").isEqualTo(1);
  }

  @Test
  void overItsShareARouterStillAdmitsWhileTheDeploymentHasRoom() {
    // a router back in a balancer's rotation: share 0 (floor 2 of 16), the others hold 3
    assertThat(AdmissionShare.admits(1, 16, 0.0, 3)).isTrue();
    assertThat(AdmissionShare.admits(5, 16, 0.0, 3)).as("over its share, the deployment far from 16").isTrue();
    assertThat(AdmissionShare.admits(5, 16, 0.0, 11)).as("the deployment at 16: the share bites").isFalse();
    assertThat(AdmissionShare.admits(5, 16, 0.0, null)).as("nothing known of the others").isFalse();
    assertThat(AdmissionShare.admits(15, 16, null, null)).as("no picture: the whole limit").isTrue();
    assertThat(AdmissionShare.admits(16, 16, null, 0)).isFalse();
  }
}
