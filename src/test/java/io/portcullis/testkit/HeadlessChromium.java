package io.portcullis.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real headless Chromium driven through chromedriver (Selenium WebDriver), for tests of pages
 * the gateway serves. It uses Debian's {@code chromium} and {@code chromium-driver}
 * ({@code /usr/bin/chromium}, {@code /usr/bin/chromedriver}; the system properties
 * {@code portcullis.chromium} and {@code webdriver.chrome.driver} name others) and never
 * downloads a browser or a driver. Each instance has a fresh profile directory, deleted on close;
 * {@link #close()} ends the browser and stops the driver process it started.
 */
public final class HeadlessChromium implements AutoCloseable {

  /** Where the browser is expected. */
  public static final Path CHROMIUM = Path.of(System.getProperty("portcullis.chromium", "/usr/bin/chromium"));
  /** Where the driver is expected. */
  public static final Path CHROMEDRIVER = Path.of(System.getProperty("webdriver.chrome.driver", "/usr/bin/chromedriver"));

  /**
   * Selenium's CDP lookup warns through java.util.logging that it has no DevTools binding for this
   * Chromium; the tests do not use DevTools. Held here so the level is not lost with the logger.
   */
  private static final java.util.logging.Logger CDP_LOG =
      java.util.logging.Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

  private final ChromeDriverService service;
  private final ChromeDriver driver;
  private final Path profile;

  private HeadlessChromium(ChromeDriverService service, ChromeDriver driver, Path profile) {
    this.service = service;
    this.driver = driver;
    this.profile = profile;
  }

  /**
   * Starts the browser with a {@code width}×{@code height} window.
   *
   * @throws AssertionError naming what to install when the browser or the driver is missing: a
   *     test that needs the browser fails, it is never skipped
   */
  public static HeadlessChromium start(int width, int height) {
    CDP_LOG.setLevel(java.util.logging.Level.SEVERE);
    requireExecutable(CHROMIUM, "chromium");
    requireExecutable(CHROMEDRIVER, "chromium-driver");
    Path profile;
    try {
      profile = Files.createTempDirectory("portcullis-chromium-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .withLogOutput(java.io.OutputStream.nullOutputStream())
        .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // Without the background-networking flags Chromium keeps trying hosts this machine cannot reach.
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-default-apps", "--hide-scrollbars", "--window-size=" + width + "," + height,
        "--user-data-dir=" + profile);
    ChromeDriver driver;
    try {
      driver = new ChromeDriver(service, options);
    } catch (RuntimeException e) {
      service.stop();
      deleteTree(profile);
      throw e;
    }
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
    return new HeadlessChromium(service, driver, profile);
  }

  private static void requireExecutable(Path path, String debianPackage) {
    if (!Files.isExecutable(path)) {
      throw new AssertionError(path + " is missing: this test drives a real Chromium. Install Debian's "
          + "chromium and chromium-driver (apt-get install chromium chromium-driver; .ci/run does) or name "
          + "other binaries with -Dportcullis.chromium=... and -Dwebdriver.chrome.driver=... (" + debianPackage + ")");
    }
  }

  /** The driver. */
  public WebDriver driver() {
    return driver;
  }

  /** Saves a PNG of the window to {@code file}. */
  public void screenshot(Path file) {
    File shot = driver.getScreenshotAs(OutputType.FILE);
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.copy(shot.toPath(), file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
      deleteTree(profile);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
