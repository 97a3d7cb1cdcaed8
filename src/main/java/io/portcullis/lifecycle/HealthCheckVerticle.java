package io.portcullis.lifecycle;

import io.portcullis.config.HealthCheckConfig;
import io.portcullis.upstream.HealthChecker;
import io.portcullis.upstream.Upstream;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs the active health checks of every upstream that configures one, on one event loop. After
 * a reload it follows the new upstreams: checks of upstreams that were removed or replaced stop,
 * checks of new or replaced ones start (an unchanged upstream keeps its checker).
 */
final class HealthCheckVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(HealthCheckVerticle.class);

  private final GatewayRuntime runtime;
  private final Map<Upstream, HealthChecker> checkers = new IdentityHashMap<>();
  private final GatewayRuntime.Follower follower = this::adoptOnLoop;
  /** One client per checked upstream: https endpoints are verified with that upstream's tls settings. */
  private final Map<Upstream, HttpClient> clients = new IdentityHashMap<>();
  private boolean stopped;

  HealthCheckVerticle(GatewayRuntime runtime) {
    this.runtime = runtime;
  }

  @Override
  public Future<?> start() {
    follow(runtime.snapshot());
    runtime.follow(follower);
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    runtime.unfollow(follower);
    stopped = true;
    checkers.values().forEach(HealthChecker::stop);
    checkers.clear();
    List<Future<Void>> closing = new ArrayList<>();
    clients.values().forEach(c -> closing.add(c.close()));
    clients.clear();
    return Future.join(closing);
  }

  private Future<Void> adoptOnLoop(RuntimeSnapshot snapshot) {
    Promise<Void> adopted = Promise.promise();
    context.runOnContext(v -> {
      try {
        if (!stopped) {
          follow(snapshot);
        }
      } catch (RuntimeException e) {
        LOG.error("health checks could not follow configuration generation {}", snapshot.generation(), e);
      }
      adopted.complete();
    });
    return adopted.future();
  }

  private void follow(RuntimeSnapshot snapshot) {
    Set<Upstream> wanted = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Upstream upstream : snapshot.upstreams().values()) {
      if (upstream.config().healthCheck().isPresent()) {
        wanted.add(upstream);
      }
    }
    checkers.entrySet().removeIf(e -> {
      if (wanted.contains(e.getKey())) {
        return false;
      }
      e.getValue().stop();
      HttpClient client = clients.remove(e.getKey());
      if (client != null) {
        client.close().onFailure(err -> LOG.warn("closing the health-check client of {} failed", e.getKey().name(), err));
      }
      return true;
    });
    for (Upstream upstream : wanted) {
      if (!checkers.containsKey(upstream)) {
        HealthCheckConfig config = upstream.config().healthCheck().get();
        HttpClient client = vertx.createHttpClient(UpstreamClientOptions.tls(upstream.config().tls(),
            new HttpClientOptions().setKeepAlive(true).setName("health-checks-" + upstream.name())));
        clients.put(upstream, client);
        HealthChecker checker = new HealthChecker(vertx, client, upstream, config);
        checkers.put(upstream, checker);
        checker.start();
      }
    }
  }
}
