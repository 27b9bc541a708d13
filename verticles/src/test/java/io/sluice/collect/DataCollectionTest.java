package io.sluice.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.protocol.ValidationException;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** data_collector as Azure writes it, its defaults, every refusal naming the field, and where files go. */
class DataCollectionTest {
  private static DataCollection parse(String json) {
    return DataCollection.parse(new JsonObject(json));
  }

  private static void refused(String json, String message) {
    assertThatThrownBy(() -> parse(json)).isInstanceOf(ValidationException.class).hasMessageContaining(message);
  }

  @Test
  void azuresSamplesParseWithTheirDefaults() {
    DataCollection payload = parse("{\"collections\": {\"request\": {\"enabled\": \"True\"}, "
        + "\"response\": {\"enabled\": \"True\"}}}");
    assertThat(payload.enabled("request")).isTrue();
    assertThat(payload.payloads()).isTrue();
    assertThat(payload.samplingRate()).isEqualTo(1.0);
    assertThat(payload.rollingRate()).isEqualTo(DataCollection.RollingRate.Hour);
    assertThat(payload.retention()).isEqualTo(Duration.ofDays(7));
    DataCollection custom = parse("{\"collections\": {\"model_inputs\": {\"enabled\": \"True\"}, "
        + "\"model_outputs\": {\"enabled\": \"False\"}}, \"rolling_rate\": \"hour\", \"sampling_rate\": 0.25, "
        + "\"request_logging\": {\"capture_headers\": [\"X-Tenant\"]}, \"retention\": \"36h\"}");
    assertThat(custom.payloads()).isFalse();
    assertThat(custom.enabled("model_outputs")).isFalse();
    assertThat(custom.captureHeaders()).containsExactly("x-tenant");
    assertThat(custom.toJson().getString("retention")).isEqualTo("36h");
    assertThat(DataCollection.parse(custom.toJson())).isEqualTo(custom);
  }

  @Test
  void badValuesAreRefusedNamingTheField() {
    refused("{}", "data_collector.collections: required");
    refused("{\"collections\": {\"request\": {\"enabled\": \"yes\"}}}",
        "data_collector.collections.request.enabled: 'True' or 'False'; got 'yes'");
    refused("{\"collections\": {\"request\": {\"enabled\": true, \"colour\": 1}}}",
        "data_collector.collections.request.colour: unknown field");
    refused("{\"collections\": {\"a/b\": {\"enabled\": true}}}", "data_collector.collections.a/b: a collection name");
    refused("{\"collections\": {\"request\": {\"enabled\": true}}, \"sampling_rate\": 1.5}",
        "data_collector.sampling_rate: a number from 0 to 1");
    refused("{\"collections\": {\"request\": {\"enabled\": true}}, \"rolling_rate\": \"Week\"}",
        "data_collector.rolling_rate: Minute, Hour, Day, Month or Year; got 'Week'");
    refused("{\"collections\": {\"request\": {\"enabled\": true, \"data\": {\"path\": \"relative/dir\"}}}}",
        "data_collector.collections.request.data.path: an absolute folder");
    refused("{\"collections\": {\"request\": {\"enabled\": true, \"data\": {\"path\": \"/srv/../etc\"}}}}",
        "'..' is not allowed");
    refused("{\"collections\": {\"request\": {\"enabled\": true, \"data\": {\"path\": \"azureml://x\"}}}}",
        "azureml://datastores/<store>/paths/<path>");
    refused("{\"collections\": {\"request\": {\"enabled\": true}}, \"retention\": \"forever\"}",
        "data_collector.retention: how long collected files are kept");
    refused("{\"collections\": {\"request\": {\"enabled\": true}}, \"colour\": 1}", "data_collector.colour: unknown");
  }

  @Test
  void filesGoWhereAzurePutsThem() {
    Path home = Path.of("/var/lib/sluice");
    assertThat(CollectionFolders.folder(home, "ep", "blue", "request", null))
        .isEqualTo(Path.of("/var/lib/sluice/collected/ep/blue/request"));
    DataCollection dc = parse("{\"collections\": {\"model_inputs\": {\"enabled\": \"True\", \"data\": {\"path\": "
        + "\"azureml://datastores/workspaceblobstore/paths/modelDataCollector/ep/blue/model_inputs\"}}, "
        + "\"x\": {\"enabled\": true, \"data\": {\"path\": \"file:///srv/x\"}}}}");
    assertThat(CollectionFolders.folder(home, "ep", "blue", "model_inputs", dc.collections().get("model_inputs")))
        .isEqualTo(Path.of("/var/lib/sluice/collected/datastores/workspaceblobstore/modelDataCollector/ep/blue/"
            + "model_inputs"));
    assertThat(CollectionFolders.folder(home, "ep", "blue", "x", dc.collections().get("x"))).isEqualTo(Path.of("/srv/x"));
    Instant t = Instant.parse("2026-12-03T17:05:09Z");
    assertThat(CollectionFolders.file(Path.of("/c"), DataCollection.RollingRate.Hour, t, "blue-1"))
        .isEqualTo(Path.of("/c/2026/12/03/17/blue-1.jsonl"));
    assertThat(CollectionFolders.period(DataCollection.RollingRate.Minute, t)).isEqualTo("2026/12/03/17/05");
    assertThat(CollectionFolders.period(DataCollection.RollingRate.Month, t)).isEqualTo("2026/12");
  }

  @Test
  void theSampleIsDecidedByTheRequestIdAsPythonDecidesIt() {
    // zlib.crc32(b"request-7") % 10000 == 5964 (Python): in a 0.6 sample, out of a 0.59 one
    assertThat(CollectWriter.sampled("request-7", 0.6)).isTrue();
    assertThat(CollectWriter.sampled("request-7", 0.59)).isFalse();
    assertThat(CollectWriter.sampled("anything", 1)).isTrue();
    assertThat(CollectWriter.sampled("anything", 0)).isFalse();
    long in = java.util.stream.IntStream.range(0, 10_000).filter(i -> CollectWriter.sampled("r" + i, 0.25)).count();
    assertThat(in).isBetween(2200L, 2800L);
  }

  /** The writer copies a payload into its record only when it is one JSON value on one line, as Jackson reads it. */
  @Test
  void aPayloadIsCopiedAsItCameOnlyWhenItIsOneJsonValueOnOneLine() throws Exception {
    String[] valid = {"{}", "[]", "0", "-1.5e+3", "\"a\\u00e9\\n\"", "true", "null", " {\"a\": [1, 2, {\"b\": false}]} ",
        "{\"é\": \"日本\"}", "[[[[1]]]]", "\"\"", "1E5", "{\"a\":1,\"b\":[]}",
        "[{\"a\":[1,{\"b\":[]}]},2]", "{\"a\":{}, \"b\" : [ ] }", "[-0.5e-3,true,false,null]"};
    String[] invalid = {"", " ", "{", "{\"a\"}", "[1,]", "01", "1.", "-", "tru", "nul", "\"a", "{} {}", "[1] x",
        "{\"a\":1\n}", "\"tab\there\"", "'a'", "{a: 1}", "+1", ".5", "\"\\x\"", "[1 2]", "NaN",
        "[1}", "{\"a\":1]", "{\"a\" 1}", "{,}", "[,1]", "{\"a\":1,}", "[1]]", "{\"a\":}"};
    com.fasterxml.jackson.databind.ObjectMapper jackson = new com.fasterxml.jackson.databind.ObjectMapper()
        .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    for (String v : valid) {
      assertThat(JsonCheck.oneLineValue(v.getBytes(java.nio.charset.StandardCharsets.UTF_8))).as(v).isTrue();
      jackson.readTree(v); // Jackson agrees
    }
    for (String v : invalid) {
      assertThat(JsonCheck.oneLineValue(v.getBytes(java.nio.charset.StandardCharsets.UTF_8))).as(v).isFalse();
    }
    assertThat(JsonCheck.oneLineValue(new byte[] {'"', (byte) 0xc3, (byte) 0x28, '"'})).as("bad UTF-8").isFalse();
    assertThat(JsonCheck.oneLineValue(new byte[] {'"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"'}))
        .as("a surrogate").isFalse();
    assertThat(JsonCheck.oneLineValue(("[".repeat(300) + "]".repeat(300)).getBytes())).as("too deep").isFalse();
    int deepest = JsonCheck.MAX_DEPTH;
    assertThat(JsonCheck.oneLineValue(("[".repeat(deepest) + "]".repeat(deepest)).getBytes())).as("deepest").isTrue();
    assertThat(JsonCheck.oneLineValue(("[{\"a\":".repeat(deepest / 2) + "1" + "}]".repeat(deepest / 2)).getBytes()))
        .as("objects and arrays to the deepest").isTrue();
    assertThat(JsonCheck.oneLineValue(("[".repeat(deepest + 1) + "]".repeat(deepest + 1)).getBytes()))
        .as("one too deep").isFalse();
  }
}
