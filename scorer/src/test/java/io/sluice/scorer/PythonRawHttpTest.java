package io.sluice.scorer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Azure's raw-HTTP contract and GET on real Python processes: the runner and its sluice_aml module. */
class PythonRawHttpTest {
  @TempDir
  Path dir;

  private Scorer scorer(String script, List<String> logs, int workers) throws Exception {
    return PythonScorerTest.scorer(dir, script, logs, workers, Probe.DEFAULT, Probe.DEFAULT);
  }

  static final String RAW = """
      from azureml.contrib.services.aml_request import AMLRequest, rawhttp
      from azureml.contrib.services.aml_response import AMLResponse
      def init():
          pass
      @rawhttp
      def run(request):
          if request.method == "GET":
              return AMLResponse({"q": request.args.get("q"), "path": request.full_path}, 200, json_str=True)
          if request.method == "OPTIONS":
              return AMLResponse("", 204, {"Allow": "GET, POST"})
          data = request.get_data()
          if not data:
              return AMLResponse("no data", 422)
          return AMLResponse(bytes(reversed(data)), 201, {"Content-Type": "application/octet-stream",
                                                          "X-Length": str(len(data))})
      """;

  private static ScoreResult call(Scorer s, String method, String query, byte[] body) throws Exception {
    return s.score(new ScoreRequest("r", body, Map.of("Content-Type", "application/octet-stream"), 10_000, 0, method,
        query)).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Azure's @rawhttp contract (AMLRequest, AMLResponse from werkzeug): method, query, bytes in; status, headers, bytes out. */
  @Test
  void aRawHttpScriptGetsTheWholeRequestAndMakesItsOwnAnswer() throws Exception {
    try (Scorer s = scorer(RAW, new CopyOnWriteArrayList<>(), 1)) {
      s.start().toCompletableFuture().get(20, TimeUnit.SECONDS);
      ScoreResult get = call(s, "GET", "q=hello&x=1", new byte[0]);
      assertThat(get.status()).isEqualTo(200);
      assertThat(get.made()).isTrue();
      assertThat(get.contentType()).isEqualTo("application/json");
      assertThat(get.bodyText()).contains("\"q\": \"hello\"").contains("/score?q=hello&x=1");

      byte[] all = new byte[256];
      for (int i = 0; i < 256; i++) {
        all[i] = (byte) i;
      }
      ScoreResult back = call(s, "POST", "", all);
      assertThat(back.status()).isEqualTo(201);
      assertThat(back.contentType()).isEqualTo("application/octet-stream");
      assertThat(back.headers()).containsEntry("X-Length", "256");
      for (int i = 0; i < 256; i++) {
        assertThat(back.body()[i]).as("byte %d", i).isEqualTo((byte) (255 - i));
      }
      ScoreResult none = call(s, "POST", "", new byte[0]);
      assertThat(none.status()).isEqualTo(422);
      assertThat(none.made()).isTrue();
      assertThat(none.bodyText()).isEqualTo("no data");
      ScoreResult options = call(s, "OPTIONS", "", new byte[0]);
      assertThat(options.status()).isEqualTo(204);
      assertThat(options.headers()).containsEntry("Allow", "GET, POST");
    }
  }

  @Test
  void anUndecoratedRunGetsAGetsQueryAsJsonAndAScriptNeedingInferenceSchemaSaysSo() throws Exception {
    try (Scorer s = scorer("import json\ndef init():\n    pass\ndef run(raw):\n    return json.loads(raw)\n",
        new CopyOnWriteArrayList<>(), 1)) {
      s.start().toCompletableFuture().get(20, TimeUnit.SECONDS);
      ScoreResult get = call(s, "GET", "a=1&b=two", new byte[0]);
      assertThat(get.status()).isEqualTo(200);
      assertThat(get.made()).isFalse();
      assertThat(get.bodyText()).isEqualTo("{\"a\": \"1\", \"b\": \"two\"}");
    }
    Scorer schema = scorer("from inference_schema.schema_decorators import input_schema\ndef init():\n    pass\n"
        + "def run(raw):\n    return raw\n", new CopyOnWriteArrayList<>(), 1);
    assertThatThrownBy(() -> schema.start().toCompletableFuture().get(30, TimeUnit.SECONDS))
        .hasMessageContaining("needs the inference-schema package");
    schema.close();
  }

}
