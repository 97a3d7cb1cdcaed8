package io.portcullis.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.AdminProbe;
import io.portcullis.testkit.Closeables;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.HeadlessChromium;
import io.portcullis.testkit.RawHttp;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium (Debian's chromium and chromedriver, through
 * Selenium) against a real gateway: an endpoint whose breaker opens shows "open", rates follow
 * traffic, figures the gateway does not report show "–", and names from the configuration are
 * shown as text. Without Chromium the test fails and says what to install.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserTest {

  /** A route name that would run script if the page wrote names as markup. */
  private static final String HOSTILE_ROUTE = "<img src=x onerror=\"document.title='owned'\">";
  private static final String DASH = "\u2013";

  private FakeBackend failing;
  private FakeBackend healthy;
  private TestGateway gateway;
  private HeadlessChromium chromium;
  private WebDriver page;

  @BeforeAll
  void start() {
    chromium = HeadlessChromium.start(1400, 1000);
    page = chromium.driver();
    failing = FakeBackend.start(req -> req.response().setStatusCode(500).end("down"));
    healthy = FakeBackend.start(req -> req.response().setStatusCode(req.path().startsWith("/bad") ? 502 : 200).end("ok"));
    JsonObject upstreams = new JsonObject()
        .put("failing", new JsonObject()
            .put("endpoints", new JsonArray().add("http://127.0.0.1:" + failing.port()))
            .put("retry", new JsonObject().put("maxAttempts", 1))
            // Open for a minute: no half-open trial while the test looks.
            .put("circuitBreaker", new JsonObject().put("maxFailures", 2).put("resetTimeoutMs", 60_000)))
        .put("healthy", new JsonObject()
            .put("endpoints", new JsonArray().add("http://127.0.0.1:" + healthy.port()))
            .put("retry", new JsonObject().put("maxAttempts", 1))
            .put("circuitBreaker", new JsonObject().put("maxFailures", 1_000)))
        .put("limited", new JsonObject()
            .put("endpoints", new JsonArray().add("http://127.0.0.1:" + healthy.port()))
            .put("concurrency", new JsonObject().put("mode", "fixed").put("max", 5)));
    JsonArray routes = new JsonArray()
        .add(new JsonObject().put("name", "limited").put("match", new JsonObject().put("pathPrefix", "/limited"))
            .put("upstream", "limited"))
        .add(new JsonObject().put("name", "failing").put("match", new JsonObject().put("pathPrefix", "/failing"))
            .put("upstream", "failing"))
        .add(new JsonObject().put("name", HOSTILE_ROUTE).put("match", new JsonObject().put("pathPrefix", "/"))
            .put("upstream", "healthy"));
    gateway = TestGateway.start(new JsonObject().put("upstreams", upstreams).put("routes", routes));
    page.get("http://127.0.0.1:" + gateway.adminPort() + "/");
  }

  @AfterAll
  void stop() {
    Closeables.closeAll(chromium, gateway, failing, healthy);
  }

  private WebDriverWait waiting(long seconds) {
    WebDriverWait wait = new WebDriverWait(page, Duration.ofSeconds(seconds), Duration.ofMillis(50));
    wait.ignoring(NoSuchElementException.class);
    return wait;
  }

  /**
   * The text of the first element {@code css} selects, read in one script: the page rebuilds its
   * tables every second, and a script runs between two of its refreshes, never during one.
   */
  private String text(String css) {
    Object text = ((JavascriptExecutor) page).executeScript(
        "const e = document.querySelector(arguments[0]); return e === null ? null : e.textContent.trim();", css);
    if (text == null) {
      throw new NoSuchElementException("nothing matches " + css);
    }
    return (String) text;
  }

  /** An attribute of the first element {@code css} selects, read in one script. */
  private String attribute(String css, String name) {
    Object value = ((JavascriptExecutor) page).executeScript(
        "const e = document.querySelector(arguments[0]); return e === null ? null : e.getAttribute(arguments[1]);",
        css, name);
    if (value == null) {
      throw new NoSuchElementException("nothing matches " + css + " with " + name);
    }
    return (String) value;
  }

  private String upstreamFigure(String upstream, String field) {
    return text("article[data-upstream='" + upstream + "'] div[data-field='" + field + "'] dd");
  }

  private String endpointCell(String upstream, FakeBackend backend, String field) {
    return text("article[data-upstream='" + upstream + "'] tr[data-endpoint='http://127.0.0.1:" + backend.port()
        + "'] td[data-field='" + field + "']");
  }

  private int get(String path) throws Exception {
    return RawHttp.exchange(gateway.port(), "GET " + path + " HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n",
        10_000).status();
  }

  @Test
  void anEndpointWhoseBreakerOpensShowsOpen() throws Exception {
    waiting(20).until(d -> endpointCell("failing", failing, "circuit").equals("closed"));
    assertThat(endpointCell("failing", failing, "health")).isEqualTo("unknown");

    assertThat(get("/failing/1")).isEqualTo(500);
    assertThat(get("/failing/2")).isEqualTo(500);
    assertThat(get("/failing/3")).isEqualTo(503); // the breaker is open: circuit_open, nothing sent

    waiting(10).until(d -> endpointCell("failing", failing, "circuit").equals("open"));
    assertThat(endpointCell("failing", failing, "recentFailures")).isEqualTo("2");
    assertThat(endpointCell("failing", failing, "totalFailures")).isEqualTo("2");
    assertThat(endpointCell("failing", failing, "halfOpenIn")).matches("[0-9]+\\.[0-9] s");
    assertThat(text("article[data-upstream='failing'] .availability")).isEqualTo("0/1 available");
    assertThat(text("article[data-upstream='healthy'] .availability")).isEqualTo("1/1 available");
    assertThat(endpointCell("healthy", healthy, "circuit")).isEqualTo("closed");
    assertThat(text("#connection-text")).isEqualTo("live");
    chromium.screenshot(Path.of("target", "dashboard-breaker-open.png"));
  }

  @Test
  void requestAndErrorRatesRiseWithTrafficAndFallBackToZero() throws Exception {
    // Two readings are needed for a rate: wait for the first number.
    waiting(20).until(d -> !upstreamFigure("healthy", "requestRate").equals(DASH));
    for (int i = 0; i < 10; i++) {
      assertThat(get("/ok/" + i)).isEqualTo(200);
      assertThat(get("/bad/" + i)).isEqualTo(502);
    }

    // The readings just after the burst: both rates above zero, errors half the requests at most.
    waiting(10).until(d -> number(upstreamFigure("healthy", "errorRate")) > 0
        && number(routeFigure(HOSTILE_ROUTE, "errorRate")) > 0);
    assertThat(number(upstreamFigure("healthy", "requestRate")))
        .isGreaterThanOrEqualTo(number(upstreamFigure("healthy", "errorRate")));

    waiting(10).until(d -> upstreamFigure("healthy", "requestRate").equals("0.0")
        && upstreamFigure("healthy", "errorRate").equals("0.0"));
  }

  /** A rate as shown; -1 for "–". */
  private static double number(String shown) {
    return shown.equals(DASH) ? -1 : Double.parseDouble(shown);
  }

  private String routeFigure(String route, String field) {
    Object text = ((JavascriptExecutor) page).executeScript(
        "for (const row of document.querySelectorAll('#routes tr[data-route]')) {"
            + "  if (row.getAttribute('data-route') === arguments[0]) {"
            + "    const cell = row.querySelector('td[data-field=\"' + arguments[1] + '\"]');"
            + "    return cell === null ? null : cell.textContent.trim();"
            + "  }"
            + "}"
            + "return null;", route, field);
    if (text == null) {
      throw new NoSuchElementException("no " + field + " of route " + route);
    }
    return (String) text;
  }

  @Test
  void aFigureTheGatewayDoesNotReportShowsADash() {
    waiting(20).until(d -> !upstreamFigure("healthy", "requestRate").equals(DASH));
    JsonObject stats = new JsonObject(AdminProbe.get(gateway.adminPort(), "/admin/stats"))
        .getJsonObject("upstreams").getJsonObject("healthy");
    Map<String, String> figures = Map.of("hedgeRate", "hedges", "shedRate", "shed",
        "concurrencyLimit", "concurrencyLimit", "p50", "latencyP50Ms", "p99", "latencyP99Ms",
        "retryRate", "retries");

    figures.forEach((figure, field) -> {
      String shown = upstreamFigure("healthy", figure);
      if (stats.containsKey(field)) {
        assertThat(shown).as(figure).isNotEqualTo(DASH);
      } else {
        assertThat(shown).as(figure).isEqualTo(DASH);
        assertThat(attribute("article[data-upstream='healthy'] div[data-field='" + figure + "']", "data-absent"))
            .isEqualTo("true");
      }
    });
  }

  @Test
  void anUpstreamWithAConcurrencyLimitShowsItsLimitInFlightAndShedRate() throws Exception {
    assertThat(get("/limited/1")).isEqualTo(200);
    // Two readings are needed for a rate; the one shown may have been taken during the request.
    waiting(20).until(d -> upstreamFigure("limited", "shedRate").equals("0.0")
        && upstreamFigure("limited", "inFlight").equals("0"));

    assertThat(upstreamFigure("limited", "concurrencyLimit")).isEqualTo("5");
    assertThat(upstreamFigure("healthy", "concurrencyLimit")).as("no limit: nothing to show").isEqualTo(DASH);
  }

  @Test
  void namesFromTheConfigurationAreShownAsText() {
    waiting(20).until(d -> routeFigure(HOSTILE_ROUTE, "name") != null);

    assertThat(routeFigure(HOSTILE_ROUTE, "name")).isEqualTo(HOSTILE_ROUTE);
    assertThat(routeFigure(HOSTILE_ROUTE, "match")).isEqualTo("/*");
    assertThat(routeFigure(HOSTILE_ROUTE, "target")).isEqualTo("healthy");
    assertThat(((JavascriptExecutor) page).executeScript("return document.querySelectorAll('img').length;"))
        .isEqualTo(0L);
    assertThat(page.getTitle()).isEqualTo("Portcullis · dashboard");
  }
}
