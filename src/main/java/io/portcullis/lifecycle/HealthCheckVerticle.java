package io.portcullis.lifecycle;

import io.portcullis.config.HealthCheckConfig;
import io.portcullis.upstream.HealthChecker;
import io.portcullis.upstream.Upstream;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;

import java.util.ArrayList;
import java.util.List;

/** Runs the active health checks of every upstream that configures one, on one event loop. */
final class HealthCheckVerticle extends VerticleBase {

  private final GatewayRuntime runtime;
  private final List<HealthChecker> checkers = new ArrayList<>();
  private HttpClient client;

  HealthCheckVerticle(GatewayRuntime runtime) {
    this.runtime = runtime;
  }

  @Override
  public Future<?> start() {
    client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setName("health-checks"));
    for (Upstream upstream : runtime.upstreams().values()) {
      if (upstream.config().healthCheck().isPresent()) {
        HealthCheckConfig config = upstream.config().healthCheck().get();
        HealthChecker checker = new HealthChecker(vertx, client, upstream, config);
        checkers.add(checker);
        checker.start();
      }
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    checkers.forEach(HealthChecker::stop);
    return client.close();
  }
}
