package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.loadtest.LoadGenerator;
import io.sluice.loadtest.ReportFiles;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The dashboard in a real headless Chromium against a real node: sign-in (form, wrong token, #token= link), the
 * endpoint with both deployments and the split, a split changed through the page and seen by the REST API, bad
 * input refused with the CLI's words and nothing changed, a concurrent change not overwritten, live charts drawing
 * points while the load generator runs, a rollout started from the page that passes (its windows shaded, target
 * and live on shared axes with the limits, a row per verdict, the chart window chosen), a mirror-first rollout
 * rolled back on agreement (the agreement over time, a mismatch as a diff with the differing path highlighted), a
 * rollout paused from the page, the cluster page, a phone-width layout, and no console errors.
 * Screenshots go to target/dashboard-screenshots/ (the best are in docs/images/).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardTest {
  @TempDir
  static Path tmp;
  NodeProcess node;
  Cli cli;
  String token;
  String key;
  Browser browser;
  ChartProbe charts;

  @BeforeAll
  void start() throws Exception {
    node = new NodeProcess(tmp.resolve("home"), "ui-" + UUID.randomUUID()).start();
    cli = new Cli(node.home);
    token = Files.readString(node.home.resolve("admin-token")).trim();
    String echo = Samples.repo().resolve("examples/java-echo/echo-deployment.yml").toString();
    cli.ok("online-endpoint", "create", "-n", "dash-ep");
    cli.ok("online-deployment", "create", "-f", echo, "-e", "dash-ep", "-n", "blue", "--all-traffic");
    cli.ok("online-deployment", "create", "-f", echo, "-e", "dash-ep", "-n", "green");
    key = cli.ok("online-endpoint", "get-credentials", "-n", "dash-ep", "-o", "tsv", "--query", "primaryKey");
    browser = new Browser(tmp.resolve("chromium"), Path.of("target/dashboard-screenshots"));
    charts = new ChartProbe(browser);
  }

  @AfterAll
  void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    node.stop();
  }

  private String traffic() throws Exception {
    return cli.okJson("online-endpoint", "show", "-n", "dash-ep", "--query", "traffic").toString();
  }

  @Test
  @Order(1)
  void thePageHoldsNoDataAndItsApiDoorNeedsTheAdminToken() throws Exception {
    Scoring http = new Scoring(node);
    HttpResponse<String> page = http.get("/ui/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<main id=\"main\">").doesNotContain("dash-ep");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).contains("script-src 'self'");
    assertThat(http.get("/ui/lib/uplot/1.6.30/dist/uPlot.iife.min.js").statusCode()).isEqualTo(200);
    assertThat(http.get("/ui/../admin-token").statusCode()).isNotEqualTo(200);
    assertThat(http.admin("/api/cluster", null).statusCode()).isEqualTo(401);
    assertThat(http.admin("/api/cluster", "not-the-token").statusCode()).isEqualTo(401);
    assertThat(http.admin("/api/endpoints/dash-ep/rollouts", null).statusCode()).isEqualTo(401);
    assertThat(http.admin("/api/endpoints/dash-ep/rollouts", token).body()).contains("\"value\" : [ ]");
    for (String door : new String[] {"/api/endpoints/dash-ep/rollout/load", "/api/rollout-defaults",
        "/api/endpoints/dash-ep/deployments/blue/load?seconds=3600"}) {
      assertThat(http.admin(door, null).statusCode()).as(door).isEqualTo(401);
      assertThat(http.admin(door, "not-the-token").statusCode()).as(door).isEqualTo(401);
    }
    assertThat(http.admin("/api/endpoints/dash-ep/rollout/load", token).statusCode()).as("no rollout yet")
        .isEqualTo(404);
    assertThat(http.admin("/api/endpoints/dash-ep/rollout/load?seconds=3601", token).body())
        .contains("seconds: a whole number from 1 to 3600");
    assertThat(http.admin("/api/rollout-defaults", token).body()).contains("\"interval\" : \"30s\"");
    HttpResponse<String> cluster = http.admin("/api/cluster", token);
    assertThat(cluster.statusCode()).isEqualTo(200);
    assertThat(cluster.body()).contains("\"instances\"").contains("dash-ep");
  }

  @Test
  @Order(2)
  void aWrongTokenIsRefusedAndTheRightOneShowsTheEndpoint() throws Exception {
    browser.open(node.url() + "/ui/");
    browser.find("#token").sendKeys("not-the-token");
    browser.click("#signin button");
    assertThat(browser.find("#signin-error").getText()).contains("not the admin token");
    browser.consoleErrors(); // the refused sign-in's 401 is the one error a browser logs on purpose

    browser.find("#token").sendKeys(token, Keys.ENTER); // the keyboard alone signs in
    browser.click("a.endpoint-link");
    browser.until(() -> browser.driver.getPageSource().contains("deployment-green"), "both deployments shown");
    assertThat(browser.find("#deployment-blue").getText()).contains("Succeeded");
    assertThat(browser.find("#traffic-blue").getAttribute("value")).isEqualTo("100");
    assertThat(browser.find("#traffic-green").getAttribute("value")).isEqualTo("0");
    browser.screenshot("endpoint");
  }

  private void setSplit(int blue, String green) {
    for (String[] f : new String[][] {{"#traffic-blue", String.valueOf(blue)}, {"#traffic-green", green}}) {
      WebElement in = browser.find(f[0]);
      in.clear();
      in.sendKeys(f[1]);
    }
    browser.click("#traffic-review");
  }

  @Test
  @Order(3)
  void theSplitChangesThroughThePageAfterAConfirmationAndBadInputChangesNothing() throws Exception {
    setSplit(70, "130");
    assertThat(browser.find(".traffic ~ .message").getText()).contains("the percent must be a whole number from 0 to 100");
    setSplit(70, "20"); // the server's rule, in the server's words
    browser.click("#traffic-apply");
    assertThat(browser.until(() -> browser.find(".message.error").getText(), "the refusal")).contains("traffic");
    assertThat(traffic()).isEqualTo("{\"blue\":100,\"green\":0}");
    browser.consoleErrors(); // the browser logs the refused PATCH's 400, asked for on purpose

    setSplit(70, "30");
    assertThat(browser.find(".confirm").getText()).contains("blue=100 green=0 to blue=70 green=30");
    browser.click("#traffic-apply");
    assertThat(browser.find(".message.ok").getText()).contains("Applied: traffic blue=70 green=30");
    assertThat(traffic()).isEqualTo("{\"blue\":70,\"green\":30}");
  }

  /** The traffic form keeps the revision it was opened on: a change made meanwhile is refused, not overwritten. */
  @Test
  @Order(4)
  void aChangeMadeMeanwhileIsNotOverwrittenAndCancelGivesTheFormBack() throws Exception {
    browser.until(() -> "70".equals(browser.find("#traffic-blue").getAttribute("value")), "the form at 70/30");
    for (String[] f : new String[][] {{"#traffic-blue", "60"}, {"#traffic-green", "40"}}) {
      WebElement in = browser.find(f[0]);
      in.clear();
      in.sendKeys(f[1]); // the edit begins on the revision of blue=70 green=30
    }
    cli.ok("online-endpoint", "update", "-n", "dash-ep", "--traffic", "blue=80 green=20"); // someone else, meanwhile
    // the page polls on while the form is edited: wait for a read of the endpoint that began after the update
    Number since = (Number) browser.js("performance.clearResourceTimings(); return performance.now();");
    browser.until(() -> browser.js("return performance.getEntriesByType('resource').some(e => "
        + "e.name.endsWith('/api/endpoints/dash-ep') && e.startTime > arguments[0]);", since) == Boolean.TRUE,
        "the page reading the endpoint's newer revision while the form is being edited");
    assertThat(browser.find("#traffic-blue").getAttribute("value")).as("what the user typed stays").isEqualTo("60");
    browser.click("#traffic-review");
    browser.click("#traffic-apply");
    assertThat(browser.until(() -> browser.find(".traffic ~ .message.error").getText(), "the refusal"))
        .contains("412").contains("someone else changed dash-ep").contains("blue=80 green=20");
    assertThat(traffic()).isEqualTo("{\"blue\":80,\"green\":20}");
    browser.until(() -> "80".equals(browser.find("#traffic-blue").getAttribute("value")), "the form unfrozen at 80");
    browser.consoleErrors(); // the refused PATCH's 412, asked for on purpose

    setSplit(10, "90");
    browser.click("#traffic-cancel");
    browser.until(() -> "80".equals(browser.find("#traffic-blue").getAttribute("value")), "the form back after Cancel");
    assertThat(traffic()).isEqualTo("{\"blue\":80,\"green\":20}");
  }

  @Test
  @Order(5)
  void chartsDrawTheLoadWhileTheGeneratorRuns() throws Exception {
    long t0 = System.nanoTime();
    CompletableFuture<LoadGenerator.Report> running = CompletableFuture.supplyAsync(() -> {
      try {
        return LoadGenerator.run(new LoadGenerator.Settings(URI.create(node.url() + "/endpoints/dash-ep/score"),
            Map.of("Authorization", "Bearer " + key), Buffer.buffer("{\"x\": 1}"), 8, 1_000_000, 12_000, 100.0, null,
            () -> System.nanoTime() - t0 > 6_000_000_000L ? 1 : 0));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    for (String d : new String[] {"blue", "green"}) {
      browser.until(() -> ((Number) browser.js("const u = (window.sluiceCharts || {})[arguments[0] + ':rate'];"
          + "return u ? u.data[1].filter(v => v > 0).length : 0;", d)).intValue() >= 3, d + "'s answers charted");
      browser.until(() -> ((Number) browser.js("const u = (window.sluiceCharts || {})[arguments[0] + ':latency'];"
          + "return u ? u.data[2].filter(v => v !== null).length : 0;", d)).intValue() >= 3, d + "'s p99 charted");
    }
    browser.size(1280, 2600); // the whole page, charts included
    browser.screenshot("endpoint-under-load");
    browser.size(1280, 1000);
    LoadGenerator.Report r = running.get(60, TimeUnit.SECONDS);
    assertThat(r.byStatus().keySet()).containsOnly(200);

    // the load generator's own report draws the same run with the same library, offline
    Path report = Files.createDirectories(tmp.resolve("report")).resolve("run");
    ReportFiles.write(report, r, List.of("a second step after 6 s"));
    String dashboard = browser.driver.getWindowHandle();
    browser.driver.switchTo().newWindow(org.openqa.selenium.WindowType.TAB); // the dashboard's tab stays signed in
    browser.open(tmp.resolve("report/run.html").toUri().toString());
    browser.until(() -> ((Number) browser.js("const c = window.sluiceReportCharts;"
        + "return c ? Object.keys(c).length : 0;")).intValue() == 3, "the report's three charts");
    assertThat(((Number) browser.js("return sluiceReportCharts.status.data[1].filter(v => v > 0).length"))
        .intValue()).as("answers per second by status").isGreaterThanOrEqualTo(3);
    assertThat(((Number) browser.js("return sluiceReportCharts.percentiles.data[1].length")).intValue()).isPositive();
    browser.screenshot("loadtest-report");
    assertThat(browser.consoleErrors()).isEmpty();
    browser.driver.close();
    browser.driver.switchTo().window(dashboard);
  }

  /** Types into a field of the page, replacing what it held. */
  private void type(String css, String text) {
    WebElement in = browser.find(css);
    in.clear();
    in.sendKeys(text);
  }

  @Test
  @Order(6)
  void aRolloutStartedFromThePagePassesAndTheJudgesViewShowsEachWindow() throws Exception {
    cli.ok("online-endpoint", "update", "-n", "dash-ep", "--traffic", "blue=100 green=0");
    browser.until(() -> "100".equals(browser.find("#traffic-blue").getAttribute("value")), "the form at 100/0");
    // the form (folded until opened) shows the defaults; a bad value is refused in the server's words, starts nothing
    browser.click("#rollout-start-open");
    assertThat(browser.find("#rollout-steps").getAttribute("placeholder")).isEqualTo("10 25 50 100");
    assertThat(browser.find("#rollout-min_requests").getAttribute("placeholder")).isEqualTo("100");
    assertThat(browser.find("#rollout-on_inconclusive").getText()).contains("hold (default)");
    new Select(browser.find("#rollout-deployment")).selectByValue("green");
    type("#rollout-interval", "5x");
    browser.click("#rollout-start");
    assertThat(browser.until(() -> browser.find("#rollout-start-message.error").getText(), "the refusal"))
        .contains("400").contains("interval: a duration such as 30s");
    assertThat(new Scoring(node).admin("/api/endpoints/dash-ep/rollouts", token).body()).contains("\"value\" : [ ]");
    browser.consoleErrors(); // the refused POST's 400, asked for on purpose

    BackgroundLoad load = BackgroundLoad.start(node.url() + "/endpoints/dash-ep/score", key);
    new Scoring(node).awaitMoreAnswers("dash-ep", 100, "before the rollout");
    type("#rollout-steps", "50 100");
    type("#rollout-interval", "3s");
    type("#rollout-min_requests", "20");
    type("#rollout-max_p99_ratio", "4"); // about stepping, not latency (RolloutTest judges latency)
    assertThat(browser.find("#rollout-command").getText()).isEqualTo("sluice online-endpoint rollout start -n dash-ep "
        + "--deployment green --steps \"50 100\" --interval 3s --min-requests 20 --max-p99-ratio 4");
    browser.click("#rollout-start");
    browser.until(() -> browser.find("#rollout-status").getText().equals("Running"), "started from the page");
    browser.until(() -> charts.shaded("rollout:errors").contains("current"), "the window being judged, shaded");
    browser.until(() -> browser.find("#rollout-status").getText().equals("Succeeded"), "the rollout passed",
        Duration.ofSeconds(60));
    assertThat(cli.okJson("online-endpoint", "show", "-n", "dash-ep", "--query", "traffic.green").asInt()).isEqualTo(100);
    browser.until(() -> browser.driver.findElements(By.cssSelector("#verdicts tbody tr")).size() == 2, "two verdicts");
    assertThat(browser.find("#verdicts").getText()).contains("50%").contains("100%").contains("PASS")
        .doesNotContain("FAIL");
    assertThat(charts.shaded("rollout:errors")).containsExactly("PASS", "PASS");
    List<Object> green = charts.shadeColour("rollout:errors");
    assertThat(((Number) green.get(1)).intValue()).as("a passed window is shaded green: %s", green)
        .isGreaterThan(((Number) green.get(0)).intValue());
    // target and live on the same axes, with the limits as lines: max error rate at its default, p99's from live's
    browser.until(() -> charts.points("rollout:errors", 1) >= 3 && charts.points("rollout:errors", 2) >= 3, "target and live drawn");
    assertThat(ChartProbe.list(browser.js("return [...new Set(sluiceCharts['rollout:errors'].data[3])]"))).containsExactly(1L);
    assertThat(charts.points("rollout:p99", 3)).isGreaterThanOrEqualTo(3);

    // the window follows now: 5 minutes unless another is chosen; an hour comes in 10-second slices
    String span = "const x = sluiceCharts['blue:rate'].data[0]; return [x[x.length - 1] - x[0], x[1] - x[0]];";
    assertThat(ChartProbe.list(browser.js(span))).containsExactly(299L, 1L);
    new Select(browser.find("#window")).selectByValue("3600");
    browser.until(() -> ChartProbe.list(browser.js(span)).get(1).equals(10L), "an hour in 10-second slices");
    assertThat(((Number) ChartProbe.list(browser.js(span)).get(0)).longValue()).isBetween(3580L, 3600L);
    assertThat(browser.find("#mirror-report caption, #mirror-report .empty").getText()).contains("60 minutes");
    // or the rollout's own span, from 30 s before its first window: a short rollout fills the charts
    new Select(browser.find("#window")).selectByValue("rollout");
    browser.until(() -> ChartProbe.list(browser.js(span)).get(1).equals(1L), "per second again");
    assertThat(((Number) ChartProbe.list(browser.js(span)).get(0)).longValue()).isBetween(59L, 298L);
    assertThat(((Number) browser.js("return sluiceCharts['rollout:errors'].data[0][0]")).longValue())
        .isLessThanOrEqualTo(cli.okJson("online-endpoint", "rollout", "show", "-n", "dash-ep", "--query",
            "verdicts[0].from").asLong());
    browser.size(1280, 3000);
    browser.js("document.getElementById('rollout-charts').scrollIntoView()");
    browser.screenshot("rollout-passed");
    browser.size(1280, 1000);
    new Select(browser.find("#window")).selectByValue("300");
    assertThat(load.end().byStatus().keySet()).containsOnly(200);
  }

  @Test
  @Order(7)
  void aMirrorFirstRolloutThatDisagreesIsRolledBackAndItsMismatchesShownAsDiffs() throws Exception {
    Path shadow = Files.writeString(tmp.resolve("shadow.yml"), """
        name: shadow
        endpoint_name: dash-ep
        code_configuration: {code: %s, scoring_script: io.sluice.scorer.examples.ConstantScorer}
        environment: {image: sluice/java}
        environment_variables: {SLUICE_CONSTANT: '{"x": 2}'}
        instance_type: Standard_DS3_v2
        instance_count: 1
        """.formatted(Samples.repo().resolve("examples/java-echo/code")));
    cli.ok("online-deployment", "create", "-f", shadow.toString());
    BackgroundLoad load = BackgroundLoad.start(node.url() + "/endpoints/dash-ep/score", key);
    new Scoring(node).awaitMoreAnswers("dash-ep", 100, "before the rollout");
    cli.ok("online-endpoint", "rollout", "start", "-n", "dash-ep", "--deployment", "shadow", "--mirror-first", "50",
        "--interval", "3s", "--min-requests", "20", "--no-wait");
    browser.until(() -> browser.find("#rollout-status").getText().equals("RolledBack"), "rolled back",
        Duration.ofSeconds(60));
    assertThat(browser.find("#rollout-status").findElement(By.xpath("..")).getText()).contains("agreement");
    browser.until(() -> browser.find("#verdicts").getText().contains("FAIL"), "the failed verdict's row");
    assertThat(browser.find("#verdicts").getText()).contains("mirror 50%").contains("agreement 0.00% < 99.00%");
    assertThat(charts.shaded("rollout:agreement")).containsExactly("FAIL");
    List<Object> red = charts.shadeColour("rollout:agreement");
    assertThat(((Number) red.get(0)).intValue()).as("a failed window is shaded red: %s", red)
        .isGreaterThan(((Number) red.get(1)).intValue());
    browser.until(() -> charts.points("rollout:agreement", 1) >= 2, "the agreement over time");
    assertThat(ChartProbe.list(browser.js("return [...new Set(sluiceCharts['rollout:agreement'].data[1]"
        + ".filter(v => v !== null))]"))).containsExactly(0L);
    assertThat(ChartProbe.list(browser.js("return [...new Set(sluiceCharts['rollout:agreement'].data[2])]")))
        .containsExactly(99L);

    browser.click("#mismatches .show-diff");
    List<WebElement> differing = browser.until(() -> browser.driver.findElements(
        By.cssSelector("#mismatch-diff .differs")), "the differing lines highlighted");
    assertThat(differing).extracting(e -> e.getAttribute("data-path")).containsExactly("$.x", "$.x");
    assertThat(differing).extracting(e -> e.getText().trim()).containsExactly("\"x\": 1", "\"x\": 2");
    new Select(browser.find("#window")).selectByValue("rollout");
    browser.until(() -> ((Number) browser.js("const x = sluiceCharts['rollout:agreement'].data[0];"
        + "return x[x.length - 1] - x[0]")).longValue() < 299, "the rollout's own span");
    browser.size(1280, 3200);
    browser.js("document.getElementById('rollout-charts').scrollIntoView()");
    browser.screenshot("rollout-rolled-back");
    browser.size(1280, 1000);
    new Select(browser.find("#window")).selectByValue("300");
    assertThat(load.end().byStatus().keySet()).containsOnly(200);
    assertThat(cli.okJson("online-endpoint", "show", "-n", "dash-ep", "--query", "mirror_traffic").toString())
        .isEqualTo("{}");
  }

  @Test
  @Order(8)
  void aRunningRolloutIsPausedFromThePage() throws Exception {
    cli.ok("online-endpoint", "rollout", "start", "-n", "dash-ep", "--deployment", "blue", "--steps", "10 50 100",
        "--interval", "60s", "--no-wait");
    browser.until(() -> browser.find("#rollout-status").getText().equals("Running"), "the rollout shown");
    assertThat(browser.find(".timeline").getText()).contains("10%").contains("50%").contains("100%");
    assertThat(browser.driver.findElement(By.cssSelector(".rollout-start")).isDisplayed()).as("no second rollout while one runs").isFalse();
    browser.click("#rollout-pause");
    Await.until(() -> cli.okJson("online-endpoint", "rollout", "show", "-n", "dash-ep", "--query", "status").asText()
        .equals("Paused"), Duration.ofSeconds(10), "paused through the page");
    browser.until(() -> browser.find("#rollout-status").getText().equals("Paused"), "the page shows it paused");
    browser.screenshot("rollout");
    cli.ok("online-endpoint", "rollout", "abort", "-n", "dash-ep");
  }

  @Test
  @Order(9)
  void logsClusterPhoneWidthAndATokenLinkAllWorkWithoutConsoleErrors() throws Exception {
    new org.openqa.selenium.support.ui.Select(browser.find("#logs-deployment")).selectByValue("blue");
    browser.click("#logs-deployment + button");
    browser.until(() -> !browser.find("pre.logs").getText().isEmpty(), "blue's log lines");

    browser.open(node.url() + "/ui/#/cluster");
    browser.until(() -> browser.driver.getPageSource().contains("Instances on"), "the cluster page");
    assertThat(browser.find("table").getText()).contains("instances / capacity");
    browser.screenshot("cluster");

    browser.size(390, 844);
    browser.open(node.url() + "/ui/#/endpoint/dash-ep");
    browser.find("#deployment-blue");
    browser.until(() -> browser.js("return (window.sluiceCharts || {})['blue:rate'] !== undefined") == Boolean.TRUE,
        "the charts at phone width");
    Number overflow = (Number) browser.js("return document.documentElement.scrollWidth - window.innerWidth");
    assertThat(overflow.intValue()).as("no sideways scrolling at phone width").isLessThanOrEqualTo(1);
    browser.screenshot("endpoint-phone");
    browser.size(1280, 1000);

    browser.js("sessionStorage.clear()");
    browser.open(node.url() + "/ui/#token=" + token);
    browser.find("a.endpoint-link");
    assertThat(browser.driver.getCurrentUrl()).doesNotContain(token); // the fragment is dropped at once
    assertThat(browser.consoleErrors()).isEmpty();
  }
}
