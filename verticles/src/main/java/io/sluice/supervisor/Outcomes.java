package io.sluice.supervisor;

import io.sluice.protocol.DeploymentDoc;
import io.sluice.protocol.InstanceInfo;
import io.sluice.protocol.InstanceState;
import io.sluice.protocol.ProvisioningState;
import java.util.List;

/**
 * When a create or update of a deployment has settled, and how: Succeeded once the current spec version has
 * {@code instance_count} Ready instances and no instance of an older version is left; Failed as soon as an instance
 * of the current version failed (with its reason) or placement cannot place it. Pure: the leader acts on it.
 */
final class Outcomes {
  private Outcomes() {
  }

  /** A settled outcome; {@code reason} is null for Succeeded. */
  record Settled(ProvisioningState state, String reason) {
  }

  /**
   * The outcome to report for {@code d}, or null while it is still under way (or needs no report: it is not being
   * created or updated). {@code mine}: the deployment's live instances; {@code unplaceable}: why placement cannot
   * place it, or null.
   */
  static Settled decide(DeploymentDoc d, List<InstanceInfo> mine, String unplaceable) {
    if (!d.state().settling()) {
      return null;
    }
    int version = d.specVersion();
    InstanceInfo failed = mine.stream().filter(i -> i.specVersion() == version && i.state() == InstanceState.Failed)
        .findFirst().orElse(null);
    if (failed != null) {
      return new Settled(ProvisioningState.Failed, "instance " + failed.id() + " on " + failed.node() + " failed: "
          + failed.reason() + " (see online-deployment get-logs)");
    }
    if (unplaceable != null) {
      return new Settled(ProvisioningState.Failed, unplaceable);
    }
    long ready = mine.stream().filter(i -> i.specVersion() == version && i.state() == InstanceState.Ready).count();
    boolean oldLeft = mine.stream().anyMatch(i -> i.specVersion() != version);
    return ready == d.instanceCount() && !oldLeft ? new Settled(ProvisioningState.Succeeded, null) : null;
  }

  /** Whether the document already says so (a Failed deployment is re-reported only with a new reason). */
  static boolean alreadyStored(DeploymentDoc d, Settled s) {
    return s.state() == d.state() && s.reason() != null && s.reason().equals(d.statusReason());
  }
}
