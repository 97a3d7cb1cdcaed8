package io.portcullis.demo;

import io.portcullis.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Deploys and undeploys the demo backends. */
public final class DemoBackends {

  private static final Logger LOG = LoggerFactory.getLogger("portcullis.demo");

  private final Vertx vertx;
  private String deployment;

  /** Demo backends on {@code vertx}. */
  public DemoBackends(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Starts every demo backend; fails if one of their ports is taken. */
  public Future<Void> start(GatewayConfig config) {
    return vertx.deployVerticle(new DemoVerticle("127.0.0.1")).map(id -> {
      deployment = id;
      LOG.info("demo backends listening: {}", DemoVerticle.describe());
      return null;
    });
  }

  /** Stops them (after the gateway itself). */
  public Future<Void> stop() {
    return deployment == null ? Future.succeededFuture() : vertx.undeploy(deployment);
  }
}
