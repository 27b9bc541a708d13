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
}
