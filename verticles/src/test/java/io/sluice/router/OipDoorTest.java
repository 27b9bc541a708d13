package io.sluice.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.protocol.InferenceProtocol;
import io.sluice.protocol.ValidationException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Open Inference Protocol's door alone: its paths, its error shape, the inference_protocol section's rules. */
class OipDoorTest {
  static OipDoor.Call call(OipDoor.Kind kind, String model, String version) {
    return new OipDoor.Call(kind, model, version);
  }

  @Test
  void pathsAreTheProtocols() {
    assertThat(OipDoor.parse(HttpMethod.GET, "/v2")).isEqualTo(call(OipDoor.Kind.SERVER, null, null));
    assertThat(OipDoor.parse(HttpMethod.GET, "/v2/")).isEqualTo(call(OipDoor.Kind.SERVER, null, null));
    assertThat(OipDoor.parse(HttpMethod.GET, "/v2/health/live")).isEqualTo(call(OipDoor.Kind.LIVE, null, null));
    assertThat(OipDoor.parse(HttpMethod.GET, "/v2/health/ready")).isEqualTo(call(OipDoor.Kind.READY, null, null));
    assertThat(OipDoor.parse(HttpMethod.GET, "/v2/models/ep")).isEqualTo(call(OipDoor.Kind.MODEL, "ep", null));
    assertThat(OipDoor.parse(HttpMethod.GET, "/v2/models/ep/versions/blue"))
        .isEqualTo(call(OipDoor.Kind.MODEL, "ep", "blue"));
    assertThat(OipDoor.parse(HttpMethod.GET, "/v2/models/ep/ready"))
        .isEqualTo(call(OipDoor.Kind.MODEL_READY, "ep", null));
    assertThat(OipDoor.parse(HttpMethod.GET, "/v2/models/ep/versions/blue/ready"))
        .isEqualTo(call(OipDoor.Kind.MODEL_READY, "ep", "blue"));
    assertThat(OipDoor.parse(HttpMethod.POST, "/v2/models/ep/infer")).isEqualTo(call(OipDoor.Kind.INFER, "ep", null));
    assertThat(OipDoor.parse(HttpMethod.POST, "/v2/models/ep/versions/blue/infer"))
        .isEqualTo(call(OipDoor.Kind.INFER, "ep", "blue"));
    // not the protocol's: other verbs, paths and methods are refused by the door, never passed on
    for (String p : new String[] {"/v2/models/ep/infer/more", "/v2/models//infer", "/v2/health", "/v2/models",
        "/v2/models/ep/versions//infer", "/v2/repository/index", "/v2/models/ep/explain"}) {
      assertThat(OipDoor.parse(HttpMethod.POST, p).kind()).as(p).isEqualTo(OipDoor.Kind.UNKNOWN);
    }
    assertThat(OipDoor.parse(HttpMethod.GET, "/v2/models/ep/infer").kind()).isEqualTo(OipDoor.Kind.UNKNOWN);
    assertThat(OipDoor.parse(HttpMethod.POST, "/v2/health/live").kind()).isEqualTo(OipDoor.Kind.UNKNOWN);
    assertThat(OipDoor.parse(HttpMethod.GET, "/v20")).isNull();
    assertThat(OipDoor.parse(HttpMethod.GET, "/endpoints/ep/score")).isNull();
  }

  static Outcome outcome(int status, String body) {
    return new Outcome(status, new LinkedHashMap<>(Map.of("content-type", "text/plain")), Buffer.buffer(body));
  }

  @Test
  void errorsAreShapedAndAnswersLeftAsTheScriptGaveThem() {
    assertThat(OipDoor.shaped(Outcome.error(429, "too many")).body().toString()).isEqualTo("{\"error\":\"too many\"}");
    assertThat(OipDoor.shaped(outcome(500, "boom")).body().toString()).isEqualTo("{\"error\":\"boom\"}");
    assertThat(OipDoor.shaped(outcome(500, "boom")).headers()).containsEntry("content-type", "application/json");
    assertThat(OipDoor.shaped(outcome(400, "{\"error\": \"its own\"}")).body().toString())
        .isEqualTo("{\"error\": \"its own\"}");
    assertThat(OipDoor.shaped(outcome(503, "")).body().toString()).isEqualTo("{\"error\":\"status 503\"}");
    assertThat(OipDoor.shaped(outcome(200, "[1]")).body().toString()).isEqualTo("[1]");
  }

  @Test
  void theInferenceProtocolSectionNamesTheFieldItRefuses() {
    JsonObject ok = InferenceProtocol.validate(new JsonObject("""
        {"inputs": [{"name": "x", "datatype": "FP32", "shape": [-1, 4]}]}"""));
    assertThat(ok.encode()).isEqualTo(
        "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[-1,4]}],\"outputs\":[]}");
    String[][] bad = {
        {"[]", "inference_protocol: must be a mapping"},
        {"{\"input\": []}", "inference_protocol.input: unknown field"},
        {"{\"inputs\": {}}", "inference_protocol.inputs: must be a list"},
        {"{\"inputs\": [{\"name\": \"\", \"datatype\": \"FP32\", \"shape\": []}]}", "inputs[0].name: a name"},
        {"{\"outputs\": [{\"name\": \"y\", \"datatype\": \"fp32\", \"shape\": []}]}", "outputs[0].datatype: one of"},
        {"{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [-2]}]}", "inputs[0].shape: each"},
        {"{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1.5]}]}", "inputs[0].shape: each"},
        {"{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\"}]}", "inputs[0].shape: a list"},
        {"{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [], \"dims\": 1}]}",
            "inputs[0].dims: unknown field"},
    };
    for (String[] b : bad) {
      Object value = b[0].startsWith("[") ? new io.vertx.core.json.JsonArray(b[0]) : new JsonObject(b[0]);
      assertThatThrownBy(() -> InferenceProtocol.validate(value)).as(b[0]).isInstanceOf(ValidationException.class)
          .hasMessageContaining(b[1]);
    }
  }
}
