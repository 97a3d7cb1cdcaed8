package io.portcullis.upstream;

import io.portcullis.config.HealthCheckConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks of one upstream (README "Configuration reference",
 * {@code upstreams.*.healthCheck}): every
 * {@code intervalMs} each endpoint is probed with {@code GET path}; a 2xx within
 * {@code timeoutMs} is a success. {@code unhealthyThreshold} consecutive failures mark it
 * unhealthy (the balancer skips it), {@code healthyThreshold} consecutive successes mark it
 * healthy again. Each transition is logged. A probe reads the whole answer, so it goes through a
 * vertx-web-client {@link WebClient} (with the upstream's TLS settings for https endpoints).
 */
public final class HealthChecker {

  private static final Logger EVENTS = LoggerFactory.getLogger("portcullis.events");

  private final Vertx vertx;
  private final WebClient client;
  private final Upstream upstream;
  private final HealthCheckConfig config;
  private final int[] consecutiveFailures;
  private final int[] consecutiveSuccesses;
  private long timer = -1;

  /** A checker probing {@code upstream}'s endpoints through {@code client}. */
  public HealthChecker(Vertx vertx, WebClient client, Upstream upstream, HealthCheckConfig config) {
    this.vertx = vertx;
    this.client = client;
    this.upstream = upstream;
    this.config = config;
    this.consecutiveFailures = new int[upstream.endpoints().length];
    this.consecutiveSuccesses = new int[upstream.endpoints().length];
  }

  /** Probes once now, then every {@code intervalMs}. */
  public void start() {
    probeAll();
    timer = vertx.setPeriodic(config.intervalMs(), id -> probeAll());
  }

  /** Stops probing. */
  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private void probeAll() {
    EndpointState[] endpoints = upstream.endpoints();
    for (int i = 0; i < endpoints.length; i++) {
      int index = i;
      probe(endpoints[i]).onComplete(ar -> record(index, ar.succeeded() && ar.result()));
    }
  }

  private Future<Boolean> probe(EndpointState endpoint) {
    // Probed at the endpoint's server address, addressed to its name as requests are (for a
    // discovered endpoint the name and the resolved address differ).
    HttpRequest<Buffer> request = client.request(HttpMethod.GET, endpoint.server(), endpoint.address().port(),
        endpoint.address().hostName(), config.path());
    return request
        .ssl("https".equals(endpoint.address().scheme()))
        .timeout(config.timeoutMs())
        .send()
        .map(res -> res.statusCode() >= 200 && res.statusCode() <= 299);
  }

  void record(int index, boolean success) {
    EndpointState endpoint = upstream.endpoints()[index];
    if (success) {
      consecutiveFailures[index] = 0;
      consecutiveSuccesses[index]++;
      if (endpoint.health() != EndpointState.Health.HEALTHY && consecutiveSuccesses[index] >= config.healthyThreshold()) {
        transition(endpoint, EndpointState.Health.HEALTHY);
      }
    } else {
      consecutiveSuccesses[index] = 0;
      consecutiveFailures[index]++;
      if (endpoint.health() != EndpointState.Health.UNHEALTHY && consecutiveFailures[index] >= config.unhealthyThreshold()) {
        transition(endpoint, EndpointState.Health.UNHEALTHY);
      }
    }
  }

  private void transition(EndpointState endpoint, EndpointState.Health to) {
    EndpointState.Health from = endpoint.health();
    endpoint.health(to);
    if (from != EndpointState.Health.UNKNOWN || to == EndpointState.Health.UNHEALTHY) {
      EVENTS.info("health check {} {}: {} -> {}", upstream.name(), endpoint.address(),
          from.name().toLowerCase(), to.name().toLowerCase());
    }
  }
}
