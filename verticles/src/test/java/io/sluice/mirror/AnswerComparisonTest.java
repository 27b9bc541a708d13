package io.sluice.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.mirror.AnswerComparison.Kind;
import io.sluice.mirror.AnswerComparison.Result;
import io.sluice.mirror.AnswerComparison.Tolerance;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AnswerComparisonTest {
  static Result cmp(String live, String mirror) {
    return AnswerComparison.compare(200, live.getBytes(StandardCharsets.UTF_8), 200,
        mirror.getBytes(StandardCharsets.UTF_8), Tolerance.DEFAULT);
  }

  @Test
  void numbersAgreeWithinNumpysAllcloseTolerance() {
    assertThat(cmp("[11055.977, 4503.275]", "[11055.977, 4503.275]").kind()).isEqualTo(Kind.AGREED);
    assertThat(cmp("[11055.977]", "[11055.9771]").kind()).as("1e-5 relative").isEqualTo(Kind.AGREED);
    assertThat(cmp("[0.0]", "[1e-9]").kind()).as("1e-8 absolute").isEqualTo(Kind.AGREED);
    Result off = cmp("[1.0, 2.0, 3.0]", "[1.0, 2.5, 3.0]");
    assertThat(off.kind()).isEqualTo(Kind.VALUE);
    assertThat(off.paths()).containsExactly("$[1]");
    assertThat(cmp("1", "1.0").kind()).as("an int and a float of the same value").isEqualTo(Kind.AGREED);
  }

  @Test
  void structureStatusAndBytes() {
    assertThat(cmp("{\"a\": 1}", "{\"a\": 1, \"b\": 2}").paths()).containsExactly("$.b");
    assertThat(cmp("{\"a\": 1}", "{\"a\": 1, \"b\": 2}").kind()).isEqualTo(Kind.STRUCTURE);
    assertThat(cmp("[1, 2]", "[1, 2, 3]").kind()).isEqualTo(Kind.STRUCTURE);
    assertThat(cmp("{\"a\": \"1\"}", "{\"a\": 1}").kind()).isEqualTo(Kind.STRUCTURE);
    assertThat(cmp("{\"a\": \"x\"}", "{\"a\": \"y\"}").paths()).containsExactly("$.a");
    assertThat(AnswerComparison.compare(200, "[1]".getBytes(), 500, "[1]".getBytes(), Tolerance.DEFAULT).kind())
        .isEqualTo(Kind.STATUS);
    assertThat(cmp("not json", "not json").kind()).isEqualTo(Kind.AGREED);
    assertThat(cmp("not json", "not jsoN").kind()).isEqualTo(Kind.VALUE);
    assertThat(cmp("1 x", "1 y").kind()).as("trailing bytes: not JSON, compared as bytes").isEqualTo(Kind.VALUE);
  }

  @Test
  void ignoredPathsMayDifferAndArrayIndexesMatchAWildcard() {
    Tolerance t = new Tolerance(1e-5, 1e-8, Set.of("$.at", "$.items[*].id"));
    Result r = AnswerComparison.compare(200,
        "{\"at\": \"10:00\", \"items\": [{\"id\": 1, \"v\": 2}, {\"id\": 2, \"v\": 3}]}".getBytes(), 200,
        "{\"at\": \"10:01\", \"items\": [{\"id\": 7, \"v\": 2}, {\"id\": 8, \"v\": 3}]}".getBytes(), t);
    assertThat(r.kind()).isEqualTo(Kind.AGREED);
  }

  @Test
  void theListOfPathsIsBounded() {
    StringBuilder a = new StringBuilder("[");
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < 1000; i++) {
      a.append(i == 0 ? "" : ",").append(i);
      b.append(i == 0 ? "" : ",").append(i + 1);
    }
    Result r = cmp(a.append("]").toString(), b.append("]").toString());
    assertThat(r.kind()).isEqualTo(Kind.VALUE);
    assertThat(r.paths()).hasSize(AnswerComparison.MAX_PATHS);
  }

  @Test
  void settingsAreCheckedAndFilledIn() {
    io.vertx.core.json.JsonObject ok = ComparisonSettings.validate(new io.vertx.core.json.JsonObject()
        .put("ignore_paths", new io.vertx.core.json.JsonArray().add("$.at").add("$.items[*].id").add("$[0]")));
    assertThat(ok.getDouble("rtol")).isEqualTo(1e-5);
    assertThat(ComparisonSettings.tolerance(ok).ignore()).contains("$.items[*].id");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ComparisonSettings.validate(
        new io.vertx.core.json.JsonObject().put("ignore_paths", new io.vertx.core.json.JsonArray().add("at"))))
        .hasMessageContaining("mirror_comparison.ignore_paths: 'at' is not a JSON path");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ComparisonSettings.validate(
        new io.vertx.core.json.JsonObject().put("rtol", -1))).hasMessageContaining("mirror_comparison.rtol");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ComparisonSettings.validate(
        new io.vertx.core.json.JsonObject().put("speed", 1))).hasMessageContaining("mirror_comparison.speed");
  }
}
