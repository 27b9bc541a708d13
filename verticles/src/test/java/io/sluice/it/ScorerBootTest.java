package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.auth.ClusterTrust;
import io.sluice.auth.SignedMap;
import io.sluice.auth.Unproved;
import io.sluice.node.NodeInfo;
import io.sluice.protocol.Addresses;
import io.sluice.protocol.DeploymentDoc;
import io.sluice.protocol.InstanceInfo;
import io.sluice.protocol.InstanceState;
import io.sluice.scoring.LocalInstances;
import io.sluice.scoring.ScorerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One scorer instance on a real clustered Vert.x, stopped while it unpacks its code (issue 22: boot() went on after
 * stop(), starting Python workers that nothing would close and writing its state after its map entry was gone).
 */
class ScorerBootTest {
  @TempDir
  Path tmp;

  @Test
  void anInstanceStoppedWhileItUnpacksStartsNoWorkerAndWritesNoState() throws Exception {
    Vertx vertx = Members.join("boot-" + UUID.randomUUID(), new EventBusOptions());
    try {
      new ClusterTrust("boot-secret", null, new Unproved(null),
          new io.sluice.auth.Versions(io.sluice.protocol.ProtocolVersion.CURRENT)).install(vertx, "boot-secret", Members.id(vertx));
      Path code = Files.createDirectories(tmp.resolve("code"));
      Path pids = tmp.resolve("pids");
      Files.writeString(code.resolve("score.py"), "import os\ndef init():\n    with open('" + pids + "', 'a') as f:\n"
          + "        f.write(str(os.getpid()) + '\\n')\ndef run(d):\n    return d\n");
      CountDownLatch unpacking = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      ScorerVerticle.Artifacts slowUnpack = fileId -> {
        unpacking.countDown();
        release.await(60, TimeUnit.SECONDS);
        return code;
      };
      NodeInfo node = new NodeInfo(Members.id(vertx), "boot-node", tmp.resolve("home"), "http://127.0.0.1:1",
          List.of("scorer-host"), List.of("*"), 4, "python3", Map.of(), 1000, 0, List.of("*"), 1000, 1L << 30, "", "", io.sluice.protocol.ProtocolVersion.CURRENT);
      InstanceInfo inst = new InstanceInfo("app-1a2b3c4d", "ep", "app", 1, node.nodeId(), node.name(),
          InstanceState.Provisioning, null, null);
      JsonObject deployment = new JsonObject().put("name", "app").put("endpoint_name", "ep").put("instance_count", 1)
          .put("code_configuration", new JsonObject().put("code", "code").put("scoring_script", "score.py"))
          .put("resolved", new JsonObject().put("code_file", "code-file"));
      String id = vertx.deployVerticle(new ScorerVerticle(node, slowUnpack, new LocalInstances()),
          new DeploymentOptions().setConfig(new JsonObject().put("instance", inst.toJson())
              .put("deployment", DeploymentDoc.fromJson(deployment).toJson()).put("python", "python3")
              .put("spare_workers", 0))).await(30, TimeUnit.SECONDS);
      assertThat(unpacking.await(30, TimeUnit.SECONDS)).as("unpacking").isTrue();

      vertx.undeploy(id).await(30, TimeUnit.SECONDS);
      release.countDown(); // the unpacking ends after the instance stopped
      SignedMap instances = SignedMap.of(vertx, Addresses.INSTANCES_MAP).await(10, TimeUnit.SECONDS);
      // init() would write its pid within a second or two of a start; nothing starts, and no state comes back
      Await.stable(() -> !Files.exists(pids) && instances.get(inst.id()).await(10, TimeUnit.SECONDS) == null,
          Duration.ofSeconds(5), Duration.ofSeconds(30), "no worker started and no state written after the stop");
    } finally {
      ClusterTrust.uninstall(vertx);
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }
}
