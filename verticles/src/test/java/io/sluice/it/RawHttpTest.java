package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rest of Azure's scoring contract on a real node: raw-HTTP scripts (AMLRequest, AMLResponse), GET, binary
 * bodies, Azure's answer headers and the deployment's swagger.json. Python with Pillow (scripts/setup.sh).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RawHttpTest {
  @TempDir
  static Path tmp;
  NodeProcess node;
  Cli cli;
  Scoring scoring;
  String key;

  @BeforeAll
  void start() throws Exception {
    node = new NodeProcess(tmp.resolve("home"), "raw-" + UUID.randomUUID()).start();
    cli = new Cli(node.home);
    scoring = new Scoring(node);
    cli.ok("online-endpoint", "create", "-n", "raw-ep");
    Path dir = Files.createDirectories(tmp.resolve("d-raw/code"));
    Files.writeString(dir.resolve("score.py"), RAW_SCRIPT);
    Files.writeString(dir.resolve("swagger2.json"), "{\"swagger\": \"2.0\", \"info\": {\"title\": \"raw's own\"}}");
    Files.writeString(dir.resolve("swagger3.json"), "{\"openapi\": \"3.0.1\", \"info\": {\"title\": \"raw's own\"}}");
    Files.writeString(tmp.resolve("d-raw/d.yml"), """
        name: raw
        endpoint_name: raw-ep
        code_configuration: {code: code, scoring_script: score.py}
        environment: {image: any}
        instance_type: Standard_DS3_v2
        instance_count: 1
        """);
    cli.ok("online-deployment", "create", "-f", tmp.resolve("d-raw/d.yml").toString());
    Path plain = Files.createDirectories(tmp.resolve("d-plain/code"));
    Files.writeString(plain.resolve("score.py"), "def init():\n    pass\ndef run(raw):\n    return raw\n");
    Files.writeString(tmp.resolve("d-plain/d.yml"), Files.readString(tmp.resolve("d-raw/d.yml"))
        .replace("name: raw\n", "name: plain\n"));
    cli.ok("online-deployment", "create", "-f", tmp.resolve("d-plain/d.yml").toString());
    key = cli.ok("online-endpoint", "get-credentials", "-n", "raw-ep", "-o", "tsv", "--query", "primaryKey");
  }

  @AfterAll
  void stop() throws Exception {
    node.stop();
  }

  static final String RAW_SCRIPT = """
      import io
      from azureml.contrib.services.aml_request import AMLRequest, rawhttp
      from azureml.contrib.services.aml_response import AMLResponse
      from PIL import Image
      def init():
          pass
      @rawhttp
      def run(request):
          if request.method == "GET":
              return AMLResponse({"args": request.args.to_dict(), "auth": request.headers.get("Authorization")},
                                 200, json_str=True)
          if "image" in request.files:
              img = Image.open(request.files["image"].stream).convert("RGB").resize((128, 128))
              out = io.BytesIO()
              img.save(out, format="JPEG")
              return AMLResponse(out.getvalue(), 200, {"Content-Type": "image/jpeg"})
          if request.headers.get("Content-Type", "").startswith("multipart/"):
              return AMLResponse({"error": "no file named image"}, 422, json_str=True)
          return AMLResponse(request.get_data(), 200, {"Content-Type": "application/octet-stream"})
      """;

  private HttpResponse<byte[]> raw(String method, String query, String type, byte[] body) throws Exception {
    return raw(method, query, type, body, node.url() + "/endpoints/raw-ep/score");
  }

  private HttpResponse<byte[]> raw(String method, String query, String type, byte[] body, String url)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + query))
        .header("Authorization", "Bearer " + key).header("azureml-model-deployment", "raw")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (type != null) {
      b.header("Content-Type", type);
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static byte[] multipart(String boundary, String field, String filename, byte[] content) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\""
        + (filename == null ? "" : "; filename=\"" + filename + "\"\r\nContent-Type: image/jpeg") + "\r\n\r\n";
    out.writeBytes(head.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    out.writeBytes(content);
    out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  /**
   * Azure's raw-HTTP scripts (@rawhttp, AMLRequest, AMLResponse) on a real node: a multipart JPEG upload resized by
   * Pillow comes back as a 128x128 JPEG; no file gets the script's own 422; all 256 byte values go through
   * unchanged; GET reaches run() with its query; an undecorated run() gets a GET's query as JSON; every answer
   * carries x-ms-request-id and x-ms-run-function-failed.
   */
  @Test
  void rawHttpScriptsGetTheWholeRequestAndAnswerAsTheyLike() throws Exception {

    java.awt.image.BufferedImage picture = new java.awt.image.BufferedImage(300, 200,
        java.awt.image.BufferedImage.TYPE_INT_RGB);
    java.io.ByteArrayOutputStream jpeg = new java.io.ByteArrayOutputStream();
    javax.imageio.ImageIO.write(picture, "jpg", jpeg);
    HttpResponse<byte[]> resized = raw("POST", "", "multipart/form-data; boundary=XyZ",
        multipart("XyZ", "image", "in.jpg", jpeg.toByteArray()));
    assertThat(resized.statusCode()).as(new String(resized.body())).isEqualTo(200);
    assertThat(resized.headers().firstValue("content-type")).hasValue("image/jpeg");
    assertThat(resized.headers().firstValue("x-ms-run-function-failed")).hasValue("False");
    assertThat(resized.headers().firstValue("x-ms-request-id")).isPresent();
    java.awt.image.BufferedImage back = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(resized.body()));
    assertThat(back.getWidth()).isEqualTo(128);
    assertThat(back.getHeight()).isEqualTo(128);

    HttpResponse<byte[]> noFile = raw("POST", "", "multipart/form-data; boundary=XyZ",
        multipart("XyZ", "note", null, "hello".getBytes()));
    assertThat(noFile.statusCode()).isEqualTo(422);
    assertThat(new String(noFile.body())).contains("no file named image");

    byte[] all = new byte[256];
    for (int i = 0; i < 256; i++) {
      all[i] = (byte) i;
    }
    HttpResponse<byte[]> same = raw("POST", "", "application/octet-stream", all);
    assertThat(same.statusCode()).isEqualTo(200);
    assertThat(same.body()).isEqualTo(all);

    HttpResponse<byte[]> get = raw("GET", "?a=1&b=x", "text/plain", null);
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(new String(get.body())).contains("\"a\": \"1\"").contains("\"b\": \"x\"")
        .contains("\"auth\": null"); // the caller's key never reaches a script
    HttpResponse<String> plain = scoring.score("raw-ep", "Bearer " + key, "plain", "{}", "x-request-id", "plain-get");
    assertThat(plain.headers().firstValue("x-ms-request-id")).hasValue("plain-get");
    HttpResponse<String> undecorated = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(node.url()
        + "/endpoints/raw-ep/score?q=42")).header("Authorization", "Bearer " + key)
        .header("azureml-model-deployment", "plain").GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(undecorated.statusCode()).isEqualTo(200);
    assertThat(undecorated.body()).contains("q").contains("42");

    // the API document: the deployment's own files (pinned by the header), generated otherwise, behind the key
    String openapi = cli.okJson("online-endpoint", "show", "-n", "raw-ep", "--query", "openapi_uri").asText();
    assertThat(openapi).endsWith("/endpoints/raw-ep/swagger.json");
    HttpResponse<byte[]> own = raw("GET", "", null, null, openapi);
    assertThat(own.statusCode()).isEqualTo(200);
    assertThat(new String(own.body())).contains("\"swagger\": \"2.0\"").contains("raw's own");
    assertThat(new String(raw("GET", "", null, null, openapi + "?version=3").body())).contains("3.0.1");
    HttpResponse<String> generated = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(openapi))
        .header("Authorization", "Bearer " + key).header("azureml-model-deployment", "plain").GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(generated.statusCode()).isEqualTo(200);
    assertThat(generated.body()).contains("RunMLService").contains("raw-ep/plain");
    assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(openapi)).GET().build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
  }
}
