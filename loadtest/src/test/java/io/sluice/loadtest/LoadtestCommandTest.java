package io.sluice.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line of the load generator: steps run during the load, and failures are counted per step. */
class LoadtestCommandTest {
  @TempDir
  Path dir;

  @Test
  void stepsRunDuringTheLoadAndFailuresAreCountedPerStep() throws Exception {
    Vertx vertx = Vertx.vertx();
    Path flag = dir.resolve("broken");
    try {
      HttpServer server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b ->
              req.response().setStatusCode(Files.exists(flag) ? 503 : 200).end("ok")))
          .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
      Path body = Files.writeString(dir.resolve("body.json"), "{}");
      StringWriter out = new StringWriter();
      CommandLine cl = new CommandLine(new LoadtestCommand());
      cl.setOut(new PrintWriter(out));
      cl.setErr(new PrintWriter(new StringWriter()));
      int code = cl.execute("--url", "http://127.0.0.1:" + server.actualPort() + "/endpoints/e/score",
          "--body-file", body.toString(), "--concurrency", "2", "--duration", "2s", "--step-interval", "600ms",
          "--step", "touch " + flag, "--step", "rm " + flag, "--report", dir.resolve("r").toString());
      assertThat(code).as("failed requests make a non-zero exit").isEqualTo(3);
      String text = out.toString();
      // at most the 2 requests in flight when touch began can straddle the boundary and see the flag
      java.util.regex.Matcher zero = java.util.regex.Pattern.compile(
          "step 0 \\(before the first step\\): (\\d+) requests, (\\d+) failed").matcher(text);
      assertThat(zero.find()).isTrue();
      assertThat(Long.parseLong(zero.group(2))).isLessThanOrEqualTo(2);
      assertThat(text).containsPattern("step 1 \\(touch .*\\): \\d+ requests, [1-9]\\d* failed");
      // a step's window starts when its command starts: the failures of step 2 are those sent while rm ran
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("step 2 \\(rm .*\\): (\\d+) requests, (\\d+) failed")
          .matcher(text);
      assertThat(m.find()).isTrue();
      assertThat(Long.parseLong(m.group(2))).isLessThan(Long.parseLong(m.group(1)) / 10);
      assertThat(Files.readString(dir.resolve("r.json"))).contains("\"steps\"");
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
