package io.portcullis.dashboard;

import io.portcullis.configfile.ConfigFiles;
import io.portcullis.config.GatewayConfig;
import io.portcullis.lifecycle.Gateway;
import io.portcullis.lifecycle.GatewayOptions;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.HeadlessChromium;
import io.portcullis.testkit.RawHttp;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Makes the README's picture of the dashboard ({@code docs/dashboard-screenshot.sh} runs it):
 * the shipped {@code conf/gateway.json} with its demo backends (listeners on free ports instead of
 * 8080 and 9901), some traffic on every route (retries on {@code flaky}, the {@code broken}
 * breaker opening), then a screenshot of the page in headless Chromium.
 *
 * <p>Usage: {@code DashboardScreenshot OUTPUT.png}
 */
public final class DashboardScreenshot {

  private static final String[] PATHS = {"/api/users/7", "/api/users/8", "/api/orders/1", "/api/flaky/x",
      "/api/profile/7", "/api/slow/x?delayMs=40", "/api/broken/x", "/api/nothing"};

  private DashboardScreenshot() {
  }

  /** Writes the screenshot to {@code args[0]}. */
  public static void main(String[] args) throws Exception {
    Path output = Path.of(args.length > 0 ? args[0] : "docs/dashboard.png");
    JsonObject json = new JsonObject(Files.readString(Path.of("conf/gateway.json")));
    json.getJsonObject("server").put("port", 0).put("host", "127.0.0.1");
    json.getJsonObject("admin").put("port", 0);
    json.getJsonObject("shutdown").put("drainMs", 0);
    json.getJsonObject("accessLog").put("enabled", false);
    GatewayConfig config = ConfigFiles.parse(json.encode(), name -> null);
    Gateway gateway = Await.result(Gateway.start(config, true, null, GatewayOptions.defaults().withEnv(name -> null)));
    AtomicBoolean running = new AtomicBoolean(true);
    Thread traffic = new Thread(() -> {
      int i = 0;
      while (running.get()) {
        String path = PATHS[i++ % PATHS.length];
        try {
          RawHttp.exchange(gateway.port(), "GET " + path + " HTTP/1.1\r\nHost: demo\r\nConnection: close\r\n\r\n", 5_000);
          Thread.sleep(15);
        } catch (InterruptedException e) {
          return;
        } catch (Exception e) {
          // A refused or reset exchange is part of the demo's traffic.
        }
      }
    }, "dashboard-traffic");
    try (HeadlessChromium chromium = HeadlessChromium.start(1400, 1320)) {
      traffic.start();
      chromium.driver().get("http://127.0.0.1:" + gateway.adminPort() + "/");
      new WebDriverWait(chromium.driver(), java.time.Duration.ofSeconds(30), java.time.Duration.ofMillis(100))
          .until(d -> d.findElements(By.cssSelector("article[data-upstream='broken'] .badge.open")).size() > 0);
      Thread.sleep(2_500); // a few readings, so that the rates have settled
      chromium.screenshot(output);
    } finally {
      running.set(false);
      traffic.interrupt();
      traffic.join(10_000);
      Await.result(gateway.shutdown(), 60_000);
      Await.result(gateway.closeVertx(), 20_000);
    }
  }
}
