package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Open Inference Protocol's REST and gRPC doors on a real node with real Python: KServe's documented calls (server
 * and model health, metadata, infer with the iris request of KServe's docs) and the same over gRPC from a Java client
 * of the protocol's generated messages, against an endpoint of two deployments whose score.py speaks the protocol
 * through sluice_oip; the key, the version pin, the mirror and the split respected; errors in the protocol's shape.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OipTest {
  @TempDir
  static Path tmp;
  NodeProcess node;
  Cli cli;
  String key;
  OipGrpcClient grpc;
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** KServe's documented v2 request (sklearn iris), nested data as its docs write it. */
  static final String IRIS = """
      {"id": "iris-1", "inputs": [{"name": "input-0", "shape": [2, 4], "datatype": "FP32",
       "data": [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]}]}""";

  /** Each deployment answers the sum of each row, times its FACTOR: blue 1, green 10. */
  static final String SCRIPT = """
      import os
      import sluice_oip
      from azureml.contrib.services.aml_response import AMLResponse
      def init():
          pass
      def run(raw_data):
          try:
              x = sluice_oip.inputs(raw_data)["input-0"]
          except ValueError as e:
              return AMLResponse(str(e), 400)
          factor = float(os.environ["FACTOR"])
          return sluice_oip.response({"output-0": x.sum(axis=1) * factor}, request=raw_data)
      """;

  Path deployment(String name, int factor) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("d-" + name + "/code"));
    Files.writeString(dir.resolve("score.py"), SCRIPT);
    return Files.writeString(dir.getParent().resolve("d.yml"), """
        name: %s
        endpoint_name: oip-ep
        code_configuration: {code: code, scoring_script: score.py}
        environment: {image: any}
        environment_variables: {FACTOR: '%d'}
        instance_type: Standard_DS3_v2
        instance_count: 1
        inference_protocol:
          inputs: [{name: input-0, datatype: FP32, shape: [-1, 4]}]
          outputs: [{name: output-0, datatype: FP32, shape: [-1]}]
        """.formatted(name, factor));
  }

  @BeforeAll
  void start() throws Exception {
    int grpcPort = NodeProcess.freePort();
    Path limits = Files.writeString(tmp.resolve("limits.yaml"), "limits:\n  max_body_bytes: 65536\n");
    node = new NodeProcess(tmp.resolve("home"), "oip-" + UUID.randomUUID())
        .with("--grpc-port", String.valueOf(grpcPort), "--config", limits.toString()).start();
    grpc = new OipGrpcClient(grpcPort);
    cli = new Cli(node.home);
    cli.ok("online-endpoint", "create", "-n", "oip-ep");
    cli.ok("online-deployment", "create", "-f", deployment("blue", 1).toString(), "--all-traffic");
    cli.ok("online-deployment", "create", "-f", deployment("green", 10).toString());
    key = cli.ok("online-endpoint", "get-credentials", "-n", "oip-ep", "-o", "tsv", "--query", "primaryKey");
  }

  @AfterAll
  void stop() throws Exception {
    grpc.close();
    node.stop();
  }

  HttpResponse<String> call(String method, String path, String auth, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.url() + path)).timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (auth != null) {
      b.header("Authorization", "Bearer " + auth);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonNode ok(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Cli.JSON.readTree(r.body());
  }

  /** A refusal in the protocol's shape: the status, and {"error": "..."} naming what is wrong. */
  void error(HttpResponse<String> r, int status, String says) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(Cli.JSON.readTree(r.body()).path("error").asText()).contains(says);
  }

  @Test
  @Order(1)
  void theServersHealthAndMetadataAreOpenAsHealthzIs() throws Exception {
    assertThat(ok(call("GET", "/v2/health/live", null, null)).path("live").asBoolean()).isTrue();
    assertThat(ok(call("GET", "/v2/health/ready", null, null)).path("ready").asBoolean()).isTrue();
    JsonNode server = ok(call("GET", "/v2", null, null));
    assertThat(server.path("name").asText()).isEqualTo("sluice");
    assertThat(server.path("version").asText()).isNotEmpty();
    assertThat(server.path("extensions").isArray()).isTrue();
    error(call("GET", "/v2/repository/index", null, null), 404, "no such Open Inference Protocol route");
    error(call("DELETE", "/v2/models/oip-ep", key, null), 404, "no such Open Inference Protocol route");
  }

  @Test
  @Order(2)
  void aModelsMetadataAndReadinessTakeTheEndpointsKey() throws Exception {
    error(call("GET", "/v2/models/oip-ep", null, null), 401, "");
    error(call("GET", "/v2/models/oip-ep/ready", "not-the-key", null), 401, "");
    error(call("GET", "/v2/models/nobody", key, null), 404, "model 'nobody' not found");
    JsonNode meta = ok(call("GET", "/v2/models/oip-ep", key, null));
    assertThat(meta.path("name").asText()).isEqualTo("oip-ep");
    assertThat(meta.path("versions").toString()).isEqualTo("[\"blue\",\"green\"]");
    assertThat(meta.path("inputs").toString())
        .isEqualTo("[{\"name\":\"input-0\",\"datatype\":\"FP32\",\"shape\":[-1,4]}]");
    assertThat(meta.path("outputs").get(0).path("name").asText()).isEqualTo("output-0");
    assertThat(ok(call("GET", "/v2/models/oip-ep/versions/green", key, null)).path("version").asText())
        .isEqualTo("green");
    assertThat(ok(call("GET", "/v2/models/oip-ep/ready", key, null)).path("ready").asBoolean()).isTrue();
    assertThat(ok(call("GET", "/v2/models/oip-ep/versions/green/ready", key, null)).path("ready").asBoolean())
        .isTrue();
    error(call("GET", "/v2/models/oip-ep/versions/nope/ready", key, null), 404, "version 'nope'");
  }

  @Test
  @Order(3)
  void inferAnswersFromTheLiveDeploymentAndAVersionPinsOne() throws Exception {
    JsonNode blue = ok(call("POST", "/v2/models/oip-ep/infer", key, IRIS));
    assertThat(blue.path("model_name").asText()).isEqualTo("oip-ep");
    assertThat(blue.path("model_version").asText()).isEqualTo("blue");
    assertThat(blue.path("id").asText()).isEqualTo("iris-1");
    JsonNode out = blue.path("outputs").get(0);
    assertThat(out.path("name").asText()).isEqualTo("output-0");
    assertThat(out.path("datatype").asText()).isEqualTo("FP32");
    assertThat(out.path("shape").toString()).isEqualTo("[2]");
    assertThat(out.path("data").get(0).asDouble()).isCloseTo(15.8, org.assertj.core.data.Offset.offset(1e-4));
    JsonNode green = ok(call("POST", "/v2/models/oip-ep/versions/green/infer", key, IRIS));
    assertThat(green.path("model_version").asText()).isEqualTo("green");
    assertThat(green.path("outputs").get(0).path("data").get(1).asDouble())
        .isCloseTo(155.0, org.assertj.core.data.Offset.offset(1e-3));
    // Azure's pin header works on this door too; the path's version wins over it
    HttpResponse<String> both = HTTP.send(HttpRequest.newBuilder(URI.create(node.url()
            + "/v2/models/oip-ep/versions/green/infer")).header("Authorization", "Bearer " + key)
        .header("azureml-model-deployment", "blue").POST(HttpRequest.BodyPublishers.ofString(IRIS)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(ok(both).path("model_version").asText()).isEqualTo("green");
  }

  @Test
  @Order(4)
  void errorsComeInTheProtocolsShape() throws Exception {
    error(call("POST", "/v2/models/oip-ep/infer", null, IRIS), 401, "");
    error(call("POST", "/v2/models/nobody/infer", key, IRIS), 404, "endpoint 'nobody' not found");
    error(call("POST", "/v2/models/oip-ep/versions/nope/infer", key, IRIS), 404, "deployment 'nope' not found");
    error(call("POST", "/v2/models/oip-ep/infer", key, "{\"inputs\": [{\"name\": \"input-0\", \"shape\": [3],"
        + " \"datatype\": \"FP32\", \"data\": [1, 2]}]}"), 400, "data does not fit shape [3]");
    error(call("POST", "/v2/models/oip-ep/infer", key, "[1, 2, 3]"), 400, "an inference request has 'inputs'");
    String bad = cli.fails("online-deployment", "create", "-f", Files.writeString(tmp.resolve("d-bad/d.yml"),
        Files.readString(deployment("bad", 1)).replace("FP32, shape: [-1, 4]", "FLOAT, shape: [-1, 4]")).toString());
    assertThat(bad).contains("inference_protocol.inputs[0].datatype: one of BOOL");
    assertThat(cli.okJson("online-deployment", "list", "-e", "oip-ep", "--query", "[].name").toString())
        .doesNotContain("bad");
  }

  @Test
  @Order(6)
  void theSameOverGrpcServerAndModel() throws Exception {
    assertThat(grpc.serverLive()).isTrue();
    assertThat(grpc.serverMetadata().getName()).isEqualTo("sluice");
    var unauthenticated = grpc.metadata(null, "oip-ep", "");
    assertThat(unauthenticated.status()).isEqualTo(io.vertx.grpc.common.GrpcStatus.UNAUTHENTICATED);
    var meta = grpc.metadata(key, "oip-ep", "");
    assertThat(meta.status()).isEqualTo(io.vertx.grpc.common.GrpcStatus.OK);
    assertThat(meta.result().getVersionsList()).containsExactly("blue", "green");
    assertThat(meta.result().getInputs(0).getShapeList()).containsExactly(-1L, 4L);
    assertThat(grpc.metadata(key, "nobody", "").status()).isEqualTo(io.vertx.grpc.common.GrpcStatus.NOT_FOUND);
    assertThat(grpc.ready(key, "oip-ep", "green").result().getReady()).isTrue();
    // nothing but the protocol's calls: another method of the service, or another service, is not there
    assertThat(grpc.call("ModelStreamInfer", OipGrpcClient.iris("oip-ep", ""),
        io.sluice.oip.grpc.ModelInferResponse.newBuilder(), key).status())
        .isEqualTo(io.vertx.grpc.common.GrpcStatus.UNIMPLEMENTED);
  }

  @Test
  @Order(7)
  void modelInferOverGrpcTakesTypedOrRawTensorsAndTheVersionPins() throws Exception {
    var blue = grpc.infer(key, OipGrpcClient.iris("oip-ep", ""));
    assertThat(blue.status()).as(blue.message()).isEqualTo(io.vertx.grpc.common.GrpcStatus.OK);
    assertThat(blue.result().getModelVersion()).isEqualTo("blue");
    assertThat(blue.result().getId()).isEqualTo("iris-grpc");
    assertThat(blue.result().getOutputs(0).getShapeList()).containsExactly(2L);
    assertThat(blue.result().getOutputs(0).getContents().getFp32Contents(0)).isCloseTo(15.8f,
        org.assertj.core.data.Offset.offset(1e-4f));
    var raw = grpc.infer(key, OipGrpcClient.irisRaw("oip-ep", "green"));
    assertThat(raw.status()).as(raw.message()).isEqualTo(io.vertx.grpc.common.GrpcStatus.OK);
    assertThat(raw.result().getModelVersion()).isEqualTo("green");
    assertThat(raw.result().getOutputs(0).getContents().getFp32Contents(1)).isCloseTo(155.0f,
        org.assertj.core.data.Offset.offset(1e-3f));
    var noKey = grpc.infer(null, OipGrpcClient.iris("oip-ep", ""));
    assertThat(noKey.status()).isEqualTo(io.vertx.grpc.common.GrpcStatus.UNAUTHENTICATED);
    var nobody = grpc.infer(key, OipGrpcClient.iris("nobody", ""));
    assertThat(nobody.status()).isEqualTo(io.vertx.grpc.common.GrpcStatus.NOT_FOUND);
    assertThat(nobody.message()).contains("endpoint 'nobody' not found");
    var badShape = grpc.infer(key, OipGrpcClient.iris("oip-ep", "").toBuilder().setInputs(0,
        OipGrpcClient.iris("oip-ep", "").getInputs(0).toBuilder().clearShape().addShape(3)).build());
    assertThat(badShape.status()).isEqualTo(io.vertx.grpc.common.GrpcStatus.INVALID_ARGUMENT);
    assertThat(badShape.message()).contains("input 'input-0': shape [3] holds 3 elements; got 8");
  }

  @Test
  @Order(5)
  void neitherDoorTakesAMessageOverTheBodyLimit() throws Exception {
    String big = "{\"inputs\": [{\"name\": \"input-0\", \"shape\": [1], \"datatype\": \"BYTES\", \"data\": [\""
        + "x".repeat(100_000) + "\"]}]}";
    error(call("POST", "/v2/models/oip-ep/infer", key, big), 413, "limits.max_body_bytes=65536");
    var tooLarge = grpc.infer(key, OipGrpcClient.iris("oip-ep", "").toBuilder().setInputs(0,
        OipGrpcClient.iris("oip-ep", "").getInputs(0).toBuilder().clearContents().setDatatype("BYTES").clearShape()
            .addShape(1).setContents(io.sluice.oip.grpc.InferTensorContents.newBuilder().addBytesContents(
                com.google.protobuf.ByteString.copyFromUtf8("x".repeat(100_000))))).build());
    assertThat(tooLarge.status()).as(tooLarge.message()).isEqualTo(io.vertx.grpc.common.GrpcStatus.RESOURCE_EXHAUSTED);
    assertThat(grpc.infer(key, OipGrpcClient.iris("oip-ep", "")).status())
        .isEqualTo(io.vertx.grpc.common.GrpcStatus.OK);
  }

  @Test
  @Order(8)
  void theMirrorAndTheSplitApplyToInfer() throws Exception {
    cli.ok("online-endpoint", "update", "-n", "oip-ep", "--mirror-traffic", "green=50");
    for (int i = 0; i < 40; i++) {
      assertThat(ok(call("POST", "/v2/models/oip-ep/infer", key, IRIS)).path("model_version").asText())
          .isEqualTo("blue");
    }
    JsonNode mirror = Await.until(() -> {
      for (JsonNode m : cli.okJson("online-endpoint", "mirror-report", "-n", "oip-ep").path("mirrors")) {
        if (m.path("deployment").asText().equals("green")) {
          return m;
        }
      }
      return Cli.JSON.createObjectNode();
    }, m -> m.path("compared").asLong() >= 10, Duration.ofSeconds(20), "10 mirrored infers compared");
    assertThat(mirror.path("compared").asLong()).as("about half of 40").isLessThan(40);
    assertThat(mirror.path("agreed").asLong()).as("green answers ten times blue").isZero();
    cli.ok("online-endpoint", "update", "-n", "oip-ep", "--mirror-traffic", "green=0");
    cli.ok("online-endpoint", "update", "-n", "oip-ep", "--traffic", "blue=50 green=50");
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      seen.add(ok(call("POST", "/v2/models/oip-ep/infer", key, IRIS)).path("model_version").asText());
    }
    assertThat(seen).containsExactlyInAnyOrder("blue", "green");
    Set<String> overGrpc = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      overGrpc.add(grpc.infer(key, OipGrpcClient.iris("oip-ep", "")).result().getModelVersion());
    }
    assertThat(overGrpc).containsExactlyInAnyOrder("blue", "green");
  }
}
