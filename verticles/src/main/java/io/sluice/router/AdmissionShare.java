package io.sluice.router;

/**
 * Admission counted for the cluster, in effect: Azure's limit (2 x max_concurrent_requests_per_instance x
 * instances in flight) is the deployment's, but each router only sees its own requests. A router admits its share of
 * the limit, the share being its part of the deployment's answers over the last seconds (from the load picture), so
 * that N routers together admit about the limit rather than N times it. Never below an equal part of the limit among
 * the cluster's routers, nor {@link #FLOOR} of it (a router whose traffic grows must be able to take some at once, and
 * its share then follows within seconds); the
 * whole limit while there is no picture yet (one router, or too few answers to tell). The share bites only when the
 * deployment is near its limit: a router over its share still admits while what it holds plus what the other routers
 * last reported in flight is under the limit (a router that just came back into a load balancer's rotation has a
 * share near 0 for its first seconds, and must not refuse a cluster that is idle).
 */
final class AdmissionShare {
  static final double FLOOR = 0.1;

  private AdmissionShare() {
  }

  /** Whether a router holding {@code mine} admits one more ({@code elsewhere}: null when unknown). */
  static boolean admits(int mine, int deploymentLimit, Double share, int routers, Integer elsewhere) {
    return mine < limit(deploymentLimit, share, routers) || elsewhere != null && mine + elsewhere < deploymentLimit;
  }

  /** {@code routers}: how many routers the cluster has (at least 1). */
  static int limit(int deploymentLimit, Double share, int routers) {
    if (share == null) {
      return deploymentLimit;
    }
    int floor = Math.max(Math.max(1, (int) Math.ceil(deploymentLimit * FLOOR)), deploymentLimit / Math.max(1, routers));
    // rounded down: shares move every second, and requests admitted under a larger share are still in flight
    return Math.max(floor, (int) Math.floor(deploymentLimit * share + 1e-9));
  }
}
