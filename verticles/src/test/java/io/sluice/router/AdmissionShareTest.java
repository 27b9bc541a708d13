package io.sluice.router;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AdmissionShareTest {
  @Test
  void aRouterAdmitsItsShareOfTheLimitNeverBelowTheFloor() {
    assertThat(AdmissionShare.limit(16, null, 1)).as("no picture yet: the whole limit").isEqualTo(16);
    assertThat(AdmissionShare.limit(16, 1.0, 1)).isEqualTo(16);
    assertThat(AdmissionShare.limit(16, 0.75, 2)).isEqualTo(12);
    assertThat(AdmissionShare.limit(16, 1 / 3.0, 3)).isEqualTo(5); // three routers: 15 together (rounded down)
    assertThat(AdmissionShare.limit(16, 0.0, 10)).as("the floor, 10 %").isEqualTo(2);
    assertThat(AdmissionShare.limit(2, 0.0, 3)).as("at least one").isEqualTo(1);
    assertThat(AdmissionShare.limit(6, 0.0, 3)).as("a router with no share yet: an equal part").isEqualTo(2);
  }

  @Test
  void overItsShareARouterStillAdmitsWhileTheDeploymentHasRoom() {
    // a router back in a balancer's rotation, one of ten: share 0 (floor 2 of 16), the others hold 3
    assertThat(AdmissionShare.admits(1, 16, 0.0, 10, 3)).isTrue();
    assertThat(AdmissionShare.admits(5, 16, 0.0, 10, 3)).as("over its share, the deployment far from 16").isTrue();
    assertThat(AdmissionShare.admits(5, 16, 0.0, 10, 11)).as("the deployment at 16: the share bites").isFalse();
    assertThat(AdmissionShare.admits(5, 16, 0.0, 10, null)).as("nothing known of the others").isFalse();
    assertThat(AdmissionShare.admits(15, 16, null, 1, null)).as("no picture: the whole limit").isTrue();
    assertThat(AdmissionShare.admits(16, 16, null, 1, 0)).isFalse();
  }
}
