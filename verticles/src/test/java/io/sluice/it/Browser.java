package io.sluice.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through its chromedriver by Selenium (installed by scripts/browser.sh, which
 * the test command runs). Without them the browser tests are skipped, except under CI=true, where they fail.
 */
final class Browser implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  final ChromeDriver driver;
  private final Path screenshots;

  Browser(Path profile, Path screenshots) throws Exception {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
    if (!present && "true".equals(System.getenv("CI"))) {
      throw new IllegalStateException("CI=true but Chromium or chromedriver is missing: scripts/browser.sh installs them");
    }
    Assumptions.assumeTrue(present, "no /usr/bin/chromium + /usr/bin/chromedriver (scripts/browser.sh installs them)");
    this.screenshots = Files.createDirectories(screenshots);
    ChromeOptions o = new ChromeOptions();
    o.setBinary(CHROMIUM.toString());
    // the flags that keep Chromium from reaching out of this closed machine (and from needing a sandbox as root)
    o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1280,1000", "--user-data-dir=" + Files.createDirectories(profile));
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    o.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
        .usingAnyFreePort().build();
    driver = new ChromeDriver(service, o);
  }

  void open(String url) {
    driver.get(url);
  }

  WebElement find(String css) {
    return until(() -> {
      List<WebElement> found = driver.findElements(By.cssSelector(css));
      return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
    }, "an element " + css);
  }

  /** Waits (the page polls every 2 s) for a non-null, non-false value. */
  <T> T until(java.util.function.Supplier<T> value, String what) {
    return until(value, what, Duration.ofSeconds(20));
  }

  <T> T until(java.util.function.Supplier<T> value, String what, Duration timeout) {
    // the page re-renders what changed every 2 s: an element found a moment ago may be gone, so look again
    return new WebDriverWait(driver, timeout).withMessage(what)
        .ignoring(StaleElementReferenceException.class).until(d -> {
      T v = value.get();
      return Boolean.FALSE.equals(v) ? null : v;
    });
  }

  void click(String css) {
    until(() -> {
      find(css).click();
      return true;
    }, "a click on " + css);
  }

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  void size(int width, int height) {
    driver.manage().window().setSize(new Dimension(width, height));
  }

  Path screenshot(String name) throws Exception {
    Path p = screenshots.resolve(name + ".png");
    Files.write(p, driver.getScreenshotAs(OutputType.BYTES));
    return p;
  }

  /** The console's errors since the last call (reading them empties the browser's buffer). */
  List<String> consoleErrors() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).map(LogEntry::toString).toList();
  }

  @Override
  public void close() {
    driver.quit();
  }
}
