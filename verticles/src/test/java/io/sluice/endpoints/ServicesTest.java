package io.sluice.endpoints;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.auth.KeyHasher;
import io.sluice.protocol.DeploymentDoc;
import io.sluice.protocol.EndpointDoc;
import io.sluice.protocol.Errors;
import io.sluice.protocol.NodeFacts;
import io.sluice.protocol.ProvisioningState;
import io.sluice.protocol.Snapshot;
import io.sluice.protocol.ValidationException;
import io.sluice.store.Store;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The endpoint-manager's services over a real store file, without Vert.x: what each call writes and refuses. */
class ServicesTest {
  @TempDir
  Path tmp;
  Store store;
  EndpointService endpoints;
  DeploymentService deployments;
  String code;

  static final KeyHasher HASHER = new KeyHasher("root secret of this test");

  @BeforeEach
  void open() throws Exception {
    store = Store.open(Store.defaultUrl(tmp.resolve(UUID.randomUUID().toString())), "sa", "");
    AssetRegistry assets = new AssetRegistry(store);
    endpoints = new EndpointService(store, null, HASHER, 3600);
    deployments = new DeploymentService(store, assets, endpoints);
    byte[] zip = "not really a zip, the services never open it".getBytes();
    code = Uploads.id(zip);
    store.putFile(code, zip);
  }

  @AfterEach
  void close() throws Exception {
    store.close();
  }

  JsonObject spec(String name, int count) {
    return DeploymentService.validate(new JsonObject().put("name", name).put("endpoint_name", "svc-ep")
        .put("code_configuration", new JsonObject().put("code", code).put("scoring_script", "score.py"))
        .put("environment", new JsonObject().put("image", "any")).put("instance_type", "Standard_DS3_v2")
        .put("instance_count", count));
  }

  @Test
  void anEndpointGetsKeysAndAViewWithoutThem() throws Exception {
    JsonObject view = endpoints.create(EndpointService.validate(new JsonObject().put("name", "svc-ep")));
    assertThat(view.containsKey("keys")).isFalse();
    assertThat(view.getString("provisioning_state")).isEqualTo("Succeeded");
    EndpointDoc stored = EndpointDoc.fromJson(store.get(Store.ENDPOINT, "svc-ep").orElseThrow());
    assertThat(stored.primaryKey()).hasSize(32).isNotEqualTo(stored.secondaryKey());
    assertThat(endpoints.keys("svc-ep").getString("primaryKey")).isEqualTo(stored.primaryKey());
    // routers are sent keyed hashes: a presented key is checked by hashing it, and the document holds no key
    EndpointDoc sent = endpoints.change("svc-ep").document();
    assertThat(sent.primaryKey()).isNull();
    assertThat(sent.toJson().encode()).doesNotContain(stored.primaryKey()).doesNotContain(stored.secondaryKey());
    assertThat(endpoints.snapshot("public key").toJson().encode()).doesNotContain(stored.primaryKey())
        .doesNotContain(stored.secondaryKey());
    assertThat(HASHER.matches(stored.primaryKey(), sent.keyHashes())).isTrue();
    assertThat(HASHER.matches(stored.secondaryKey(), sent.keyHashes())).isTrue();
    assertThat(HASHER.matches(stored.primaryKey() + "x", sent.keyHashes())).isFalse();
    assertThat(new KeyHasher("another root").matches(stored.primaryKey(), sent.keyHashes())).isFalse();
    assertThatThrownBy(() -> endpoints.create(EndpointService.validate(new JsonObject().put("name", "svc-ep"))))
        .satisfies(e -> assertThat(Errors.httpStatus(e)).isEqualTo(409));
  }

  @Test
  void trafficIsValidatedAgainstTheDeploymentsAndAStaleRevisionIsRefused() throws Exception {
    endpoints.create(EndpointService.validate(new JsonObject().put("name", "svc-ep")));
    deployments.create(spec("blue", 1), false);
    assertThatThrownBy(() -> endpoints.update("svc-ep", new JsonObject().put("traffic", new JsonObject().put("red", 100)),
        null)).isInstanceOf(ValidationException.class).hasMessageContaining("red");
    JsonObject v = endpoints.update("svc-ep", new JsonObject().put("traffic", new JsonObject().put("blue", 100)), 1);
    assertThat(v.getJsonObject("traffic").getInteger("blue")).isEqualTo(100);
    assertThatThrownBy(() -> endpoints.update("svc-ep", new JsonObject().put("description", "x"), 1))
        .satisfies(e -> assertThat(Errors.httpStatus(e)).isEqualTo(412));
    assertThat(store.get(Store.ENDPOINT, "svc-ep").orElseThrow().getString("description")).isEqualTo("");
  }

  @Test
  void aNewSpecVersionOnlyWhenWhatTheScorersRunChanged() throws Exception {
    endpoints.create(EndpointService.validate(new JsonObject().put("name", "svc-ep")));
    deployments.create(spec("blue", 1), false);
    assertThat(deployments.load("svc-ep", "blue").state()).isEqualTo(ProvisioningState.Creating);
    deployments.update(spec("blue", 3), null);
    assertThat(deployments.load("svc-ep", "blue").specVersion()).as("a new count is no new version").isEqualTo(1);
    deployments.update(spec("blue", 3).put("environment_variables", new JsonObject().put("A", "1")), null);
    DeploymentDoc d = deployments.load("svc-ep", "blue");
    assertThat(d.specVersion()).isEqualTo(2);
    assertThat(d.revision()).isEqualTo(3);
    assertThat(d.environmentVariables()).containsEntry("A", "1");
  }

  @Test
  void onlyTheCurrentSpecVersionSettlesAndAllTrafficMovesOnSuccess() throws Exception {
    endpoints.create(EndpointService.validate(new JsonObject().put("name", "svc-ep")));
    deployments.create(spec("blue", 1), true);
    assertThat(deployments.settle("svc-ep", "blue", 7, ProvisioningState.Succeeded, null)).isFalse();
    assertThat(deployments.settle("svc-ep", "blue", 1, ProvisioningState.Succeeded, null)).isTrue();
    assertThat(deployments.settle("svc-ep", "blue", 1, ProvisioningState.Succeeded, null)).isFalse();
    assertThat(endpoints.get("svc-ep").getJsonObject("traffic").getInteger("blue")).isEqualTo(100);
    assertThatThrownBy(() -> deployments.delete("svc-ep", "blue")).hasMessageContaining("100% of the live traffic");
  }

  @Test
  void deletingAnEndpointMarksItsDeploymentsAndTheLastOneRemovesIt() throws Exception {
    endpoints.create(EndpointService.validate(new JsonObject().put("name", "svc-ep")));
    deployments.create(spec("blue", 1), false);
    endpoints.delete("svc-ep");
    Snapshot s = endpoints.snapshot("secret");
    assertThat(s.endpoints()).extracting(EndpointDoc::state).containsExactly(ProvisioningState.Deleting);
    assertThat(s.deployments()).extracting(DeploymentDoc::state).containsExactly(ProvisioningState.Deleting);
    assertThat(deployments.deleted("svc-ep", "blue")).isTrue();
    assertThat(store.get(Store.ENDPOINT, "svc-ep")).isEmpty();
    assertThat(endpoints.change("svc-ep").document()).isNull();
  }

  @Test
  void documentsSurviveARoundTripThroughJson() throws Exception {
    endpoints.create(EndpointService.validate(new JsonObject().put("name", "svc-ep").put("tags",
        new JsonObject().put("t", "v"))));
    deployments.create(spec("blue", 2), false);
    JsonObject ep = store.get(Store.ENDPOINT, "svc-ep").orElseThrow();
    JsonObject dep = store.get(Store.DEPLOYMENT, "svc-ep/blue").orElseThrow();
    assertThat(EndpointDoc.fromJson(ep).toJson()).isEqualTo(ep);
    assertThat(DeploymentDoc.fromJson(dep).toJson()).isEqualTo(dep);
    Snapshot s = endpoints.snapshot("secret");
    assertThat(Snapshot.fromJson(s.toJson())).isEqualTo(s);
  }

  @Test
  void anInstanceTypeMustBeOfferedByANodeThatTakesInstances() {
    NodeFacts gpu = new NodeFacts("n1", "node-1", "http://x", List.of(), List.of("gpu"), 4, false);
    NodeFacts leaving = new NodeFacts("n2", "node-2", "http://y", List.of(), List.of("cpu"), 4, true);
    NodeFacts routerOnly = new NodeFacts("n3", "node-3", "http://z", List.of("router"), List.of("*"), 0, false);
    DeploymentService.requireOffered("GPU", List.of(gpu));
    assertThatThrownBy(() -> DeploymentService.requireOffered("cpu", List.of(gpu, leaving, routerOnly)))
        .isInstanceOf(ValidationException.class).hasMessage("instance_type: no node of the cluster offers 'cpu' "
            + "(offered: gpu)");
    assertThat(NodeFacts.fromJson(leaving.toJson())).isEqualTo(leaving);
  }
}
