package io.sluice.scoring;

import io.sluice.scorer.ScoreResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A deployment's API document, {@code GET /endpoints/<e>/swagger.json}: as Azure's inference server does, the code
 * folder's own {@code swagger2.json} / {@code swagger3.json} ({@code ?version=2|3}; 2 when not asked) when the
 * deployment has them, otherwise a generated one describing the scoring route of an undecorated run(). Read once
 * when the instance starts; files over 4 MiB are not served (the generated document is).
 */
final class SwaggerDocument {
  static final long MAX_BYTES = 4L << 20;

  private final byte[] v2;
  private final byte[] v3;
  private final byte[] generated;

  private SwaggerDocument(byte[] v2, byte[] v3, byte[] generated) {
    this.v2 = v2;
    this.v3 = v3;
    this.generated = generated;
  }

  /** Before the code folder is there (or when it has none): the generated document only. */
  static SwaggerDocument generatedFor(String endpoint, String deployment) {
    return new SwaggerDocument(null, null, generate(endpoint, deployment));
  }

  static SwaggerDocument of(Path codeDir, String endpoint, String deployment) {
    return new SwaggerDocument(read(codeDir.resolve("swagger2.json")), read(codeDir.resolve("swagger3.json")),
        generate(endpoint, deployment));
  }

  /** The answer for a query string ("version=3", ...): the deployment's own file, or the generated document. */
  ScoreResult answer(String query) {
    boolean three = query != null && query.matches("(.*&)?version=3(&.*)?");
    byte[] own = three ? (v3 != null ? v3 : v2) : (v2 != null ? v2 : v3);
    return new ScoreResult(200, own != null ? own : generated, "application/json", 0, 0, false, Map.of(), true);
  }

  private static byte[] read(Path file) {
    try {
      return Files.isRegularFile(file) && Files.size(file) <= MAX_BYTES ? Files.readAllBytes(file) : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** Azure's generated shape for an undecorated run(): the health route and POST /score with any JSON. */
  private static byte[] generate(String endpoint, String deployment) {
    JsonObject anyJson = new JsonObject().put("type", "object");
    JsonObject score = new JsonObject().put("post", new JsonObject().put("operationId", "RunMLService")
        .put("description", "Run web service's model and get the prediction output")
        .put("security", new JsonArray().add(new JsonObject().put("Bearer", new JsonArray())))
        .put("parameters", new JsonArray().add(new JsonObject().put("name", "serviceInputPayload").put("in", "body")
            .put("description", "The input payload for executing the real-time machine learning service.")
            .put("schema", anyJson)))
        .put("responses", new JsonObject()
            .put("200", new JsonObject().put("description", "The service processed the input correctly and provided "
                + "a result prediction, if applicable.").put("schema", anyJson))
            .put("default", new JsonObject().put("description", "The service failed to execute due to an error.")
                .put("schema", new JsonObject().put("$ref", "#/definitions/ErrorResponse")))));
    JsonObject doc = new JsonObject().put("swagger", "2.0")
        .put("info", new JsonObject().put("title", endpoint + "/" + deployment).put("description",
            "API specification for the Azure Machine Learning deployment " + deployment).put("version", "1.0"))
        .put("schemes", new JsonArray().add("https").add("http"))
        .put("consumes", new JsonArray().add("application/json"))
        .put("produces", new JsonArray().add("application/json"))
        .put("securityDefinitions", new JsonObject().put("Bearer", new JsonObject().put("type", "apiKey")
            .put("name", "Authorization").put("in", "header").put("description", "For example: Bearer abc123")))
        .put("paths", new JsonObject().put("/score", score))
        .put("definitions", new JsonObject().put("ErrorResponse", new JsonObject().put("type", "object")
            .put("properties", new JsonObject().put("message", new JsonObject().put("type", "string")))));
    return doc.encodePrettily().getBytes(StandardCharsets.UTF_8);
  }
}
