package io.portcullis.dashboard;

import io.micrometer.core.instrument.MeterRegistry;
import io.portcullis.config.GatewayConfig;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The live dashboard on the admin port (README "Dashboard"): {@code GET /} serves the page,
 * {@code GET /dashboard/NAME} its style sheet and script, {@code GET /admin/stats} the counters
 * it turns into rates ({@link StatsView}). The page reads {@code /admin/upstreams},
 * {@code /admin/routes} and {@code /admin/stats} every second. Any admin path that does not
 * exist answers 404 with a JSON error.
 *
 * <p>The page sets every text it shows as text (never as markup), and its
 * {@code Content-Security-Policy} allows only its own script and style sheet, so a name from the
 * configuration cannot run as code in it.
 */
public final class Dashboard {

  /** The page's own files and requests only: no inline script, no other origin, no framing. */
  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
      + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  private static final String ASSET_PREFIX = "/dashboard/";

  private final DashboardAssets assets;
  private final StatsView stats;

  /**
   * Reads the page's files from the class path (blocking: construct it off the event loops).
   *
   * @param registry the gateway's meters
   * @param config the running configuration
   * @param nanos a monotonic clock in nanoseconds
   */
  public Dashboard(MeterRegistry registry, Supplier<GatewayConfig> config, LongSupplier nanos) {
    this.assets = DashboardAssets.load();
    this.stats = new StatsView(registry, config, nanos);
  }

  /** Adds the dashboard's routes to the admin {@code router}, and its JSON 404 for unknown paths. */
  public void mount(Router router) {
    router.get("/").handler(rc -> asset(rc, DashboardAssets.INDEX));
    router.get(ASSET_PREFIX + "*").handler(rc -> {
      String name = rc.request().path().substring(ASSET_PREFIX.length());
      // The page itself is only at "/".
      asset(rc, name.equals(DashboardAssets.INDEX) ? null : name);
    });
    router.get("/admin/stats").handler(this::stats);
    router.errorHandler(404, rc -> notFound(rc.response(), rc.request().path()));
  }

  private void asset(RoutingContext rc, String name) {
    DashboardAssets.Asset asset = name == null ? null : assets.get(name);
    HttpServerResponse response = rc.response();
    if (asset == null) {
      notFound(response, rc.request().path());
      return;
    }
    response.putHeader(HttpHeaders.CONTENT_TYPE, asset.contentType())
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer")
        .end(asset.content());
  }

  private void stats(RoutingContext rc) {
    rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(stats.toJson().encode());
  }

  /** 404 {@code {"error":"not_found","message":"no such admin path: /x"}}. */
  private static void notFound(HttpServerResponse response, String path) {
    if (response.ended() || response.closed()) {
      return;
    }
    String shown = path == null ? "" : path.length() > 200 ? path.substring(0, 200) + "..." : path;
    response.setStatusCode(404)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .putHeader("X-Content-Type-Options", "nosniff")
        .end(new JsonObject().put("error", "not_found").put("message", "no such admin path: " + shown).encode());
  }
}
