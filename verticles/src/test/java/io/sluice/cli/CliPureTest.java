package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CliPureTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void trafficStrings() {
    assertThat(TrafficArg.parse("--traffic", "blue=90 green=10")).isEqualTo(Map.of("blue", 90, "green", 10));
    assertThat(TrafficArg.parse("--traffic", "blue=90,green=10")).isEqualTo(Map.of("blue", 90, "green", 10));
    assertThatThrownBy(() -> TrafficArg.parse("--traffic", "blue")).hasMessageContaining("not name=percent");
    assertThatThrownBy(() -> TrafficArg.parse("--traffic", "blue=x")).hasMessageContaining("whole number");
    assertThatThrownBy(() -> TrafficArg.parse("--traffic", "blue=1 blue=2")).hasMessageContaining("twice");
  }

  @Test
  void setKeepsYamlTypesAndNests() {
    ObjectNode o = JSON.createObjectNode();
    SpecFiles.set(o, List.of("instance_count=2", "request_settings.request_timeout_ms=9000",
        "environment_variables.WORKER_COUNT=4", "description=hello world", "app_insights_enabled=true"));
    assertThat(o.toString()).isEqualTo("{\"instance_count\":2,\"request_settings\":{\"request_timeout_ms\":9000},"
        + "\"environment_variables\":{\"WORKER_COUNT\":4},\"description\":\"hello world\",\"app_insights_enabled\":true}");
    assertThatThrownBy(() -> SpecFiles.set(o, List.of("noequals"))).hasMessageContaining("--set");
  }

  @Test
  void outputsLikeAz() throws Exception {
    JsonNode v = JSON.readTree("{\"name\":\"e\",\"traffic\":{\"blue\":90,\"green\":10},\"tags\":{},\"list\":[]}");
    assertThat(Output.render(v, null, "json")).isEqualTo("""
        {
          "name": "e",
          "traffic": {
            "blue": 90,
            "green": 10
          },
          "tags": {},
          "list": []
        }""");
    assertThat(Output.render(v, "traffic", "tsv")).isEqualTo("90\t10");
    assertThat(Output.render(v, "name", "tsv")).isEqualTo("e");
    assertThat(Output.render(v, "traffic.blue", "json")).isEqualTo("90");
    assertThat(Output.render(v, "traffic", "yaml")).isEqualTo("blue: 90\ngreen: 10");
    JsonNode list = JSON.readTree("[{\"name\":\"a\",\"state\":\"Ready\"},{\"name\":\"bb\",\"state\":\"Failed\"}]");
    assertThat(Output.render(list, null, "table")).isEqualTo("Name  State\n----  ------\na     Ready\nbb    Failed");
    assertThatThrownBy(() -> Output.render(v, "[", "json")).hasMessageContaining("JMESPath");
  }
}
