package io.portcullis.upstream;

import io.portcullis.config.HealthCheckConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Runs the active health checks of every upstream that configures one, on one event loop. After
 * a reload it follows the new upstreams: checks of upstreams that were removed or replaced stop,
 * checks of new or replaced ones start (an unchanged upstream keeps its checker). It lives beside
 * {@link HealthChecker} because the two are one feature: the checker probes one upstream, this
 * verticle owns the checkers, their clients and their event loop.
 */
public final class HealthCheckVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(HealthCheckVerticle.class);

  private final Map<Upstream, HealthChecker> checkers = new IdentityHashMap<>();
  private Collection<Upstream> initial;
  /** One client per checked upstream: https endpoints are verified with that upstream's tls settings. */
  private final Map<Upstream, WebClient> clients = new IdentityHashMap<>();
  private boolean stopped;

  /** Checks for {@code upstreams} (those that configure a health check) once deployed. */
  public HealthCheckVerticle(Collection<Upstream> upstreams) {
    this.initial = upstreams;
  }

  @Override
  public Future<?> start() {
    follow(initial);
    initial = null;
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    checkers.values().forEach(HealthChecker::stop);
    checkers.clear();
    clients.values().forEach(WebClient::close);
    clients.clear();
    return Future.succeededFuture();
  }

  /**
   * Follows the upstreams of a new configuration, on this verticle's event loop: completes once
   * done. Never fails (a failure is logged).
   */
  public Future<Void> adopt(Collection<Upstream> upstreams, long generation) {
    Promise<Void> adopted = Promise.promise();
    context.runOnContext(v -> {
      try {
        if (!stopped) {
          follow(upstreams);
        }
      } catch (RuntimeException e) {
        LOG.error("health checks could not follow configuration generation {}", generation, e);
      }
      adopted.complete();
    });
    return adopted.future();
  }

  private void follow(Collection<Upstream> upstreams) {
    Set<Upstream> wanted = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Upstream upstream : upstreams) {
      if (upstream.config().healthCheck().isPresent()) {
        wanted.add(upstream);
      }
    }
    checkers.entrySet().removeIf(e -> {
      if (wanted.contains(e.getKey())) {
        return false;
      }
      e.getValue().stop();
      WebClient client = clients.remove(e.getKey());
      if (client != null) {
        client.close();
      }
      return true;
    });
    for (Upstream upstream : wanted) {
      if (!checkers.containsKey(upstream)) {
        HealthCheckConfig config = upstream.config().healthCheck().get();
        // As the proxy's own requests: no redirects followed, no User-Agent added.
        WebClientOptions options = new WebClientOptions().setUserAgentEnabled(false).setFollowRedirects(false);
        options.setKeepAlive(true).setName("health-checks-" + upstream.name());
        UpstreamClientOptions.tls(upstream.config().tls(), options);
        WebClient client = WebClient.create(vertx, options);
        clients.put(upstream, client);
        HealthChecker checker = new HealthChecker(vertx, client, upstream, config);
        checkers.put(upstream, checker);
        checker.start();
      }
    }
  }
}
