package io.portcullis.lifecycle;

import io.portcullis.resilience.Scheduler;
import io.portcullis.upstream.UpstreamClientOptions;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portcullis.config.ConfigException;
import io.portcullis.config.GatewayConfig;
import io.portcullis.configfile.ConfigFiles;
import io.portcullis.observe.GatewayMetrics;
import io.portcullis.resilience.Ticker;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.RefusedPort;
import io.vertx.core.Vertx;
import io.portcullis.upstream.pool.EndpointPool;
import io.portcullis.upstream.pool.UpstreamClient;
import io.portcullis.upstream.pool.UpstreamConnections;
import io.vertx.core.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One event loop's clients across snapshots: kept while an upstream's connection settings stay,
 * replaced when they change, and closed only once no request of an older snapshot still runs.
 */
class LoopGenerationsTest {

  private Vertx vertx;
  private SnapshotBuilder builder;
  private LoopGenerations generations;
  private RefusedPort refused;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    refused = RefusedPort.open();
    builder = new SnapshotBuilder(vertx, Ticker.system(), Scheduler.of(vertx), new SplittableRandom(7),
        new GatewayMetrics(new SimpleMeterRegistry()), (breaker, to) -> { });
    generations = new LoopGenerations(vertx, UpstreamClientOptions::of, UpstreamClientOptions::pool,
        (generation, clients) -> null);
  }

  @AfterEach
  void tearDown() throws Exception {
    Await.result(generations.closeAll());
    Await.result(vertx.close());
    refused.close();
  }

  @Test
  void anUpstreamWhoseConnectionSettingsAreUnchangedKeepsItsClientEvenWhenItsEndpointsChange() throws Exception {
    RuntimeSnapshot first = builder.build(parse(config(1000, "http://127.0.0.1:9001")), null);
    LoopGenerations.Generation one = generations.current(first);
    RuntimeSnapshot second = builder.build(parse(config(1000, "http://127.0.0.1:9001", "http://127.0.0.1:9002")), first);
    LoopGenerations.Generation two = generations.current(second);

    assertThat(two).isNotSameAs(one);
    assertThat(two.client("svc")).isSameAs(one.client("svc"));
    assertThat(closed(two.client("svc"))).isFalse();
  }

  @Test
  void aChangedConnectTimeoutGetsANewClientAndTheOldOneClosesWhenItsLastRequestEnds() throws Exception {
    RuntimeSnapshot first = builder.build(parse(config(1000, "http://127.0.0.1:9001")), null);
    LoopGenerations.Generation one = generations.current(first);
    generations.acquire(one); // a request in flight on the first snapshot
    RuntimeSnapshot second = builder.build(parse(config(2000, "http://127.0.0.1:9001")), first);
    LoopGenerations.Generation two = generations.current(second);

    assertThat(two.client("svc")).isNotSameAs(one.client("svc"));
    assertThat(closed(one.client("svc"))).as("still used by the request in flight").isFalse();
    generations.release(one);
    assertThat(closed(one.client("svc"))).as("closed once that request ended").isTrue();
    assertThat(closed(two.client("svc"))).isFalse();
  }

  @Test
  void anOlderSnapshotNeverReplacesANewerOne() throws Exception {
    RuntimeSnapshot first = builder.build(parse(config(1000, "http://127.0.0.1:9001")), null);
    RuntimeSnapshot second = builder.build(parse(config(2000, "http://127.0.0.1:9001")), first);
    LoopGenerations.Generation newest = generations.current(second);
    assertThat(generations.current(first)).isSameAs(newest);
  }

  /**
   * Whether {@code client} was closed: a closed client refuses at once, an open one tries to
   * connect. Its own pools and its Vert.x client must agree.
   */
  private boolean closed(UpstreamClient client) throws Exception {
    Throwable failure;
    try {
      failure = Await.failure(client.http().request(new RequestOptions().setHost("127.0.0.1").setPort(refused.port())));
    } catch (IllegalStateException thrown) {
      failure = thrown;
    }
    boolean httpClosed = String.valueOf(failure.getMessage()).toLowerCase().contains("closed");
    CompletableFuture<Throwable> refusal = new CompletableFuture<>();
    vertx.runOnContext(v -> client.connections().pool(SocketAddress.inetSocketAddress(refused.port(), "127.0.0.1"),
        "127.0.0.1", refused.port()).acquire(new EndpointPool.Waiter<>() {
          @Override
          public void acquired(EndpointPool.Lease<UpstreamConnections.Connection> lease) {
            refusal.complete(null);
          }

          @Override
          public void refused(Throwable cause) {
            refusal.complete(cause);
          }
        }));
    Throwable poolFailure = refusal.get(10, TimeUnit.SECONDS);
    assertThat(poolFailure).as("a refused port is never a connection").isNotNull();
    boolean poolClosed = String.valueOf(poolFailure.getMessage()).contains("is closed");
    assertThat(poolClosed).as("own pools closed with the client: " + poolFailure).isEqualTo(httpClosed);
    return httpClosed;
  }

  private static JsonObject config(long connectTimeoutMs, String... endpoints) {
    return new JsonObject()
        .put("upstreams", new JsonObject().put("svc", new JsonObject()
            .put("endpoints", new JsonArray(List.of((Object[]) endpoints)))
            .put("connectTimeoutMs", connectTimeoutMs)))
        .put("routes", new JsonArray().add(new JsonObject().put("name", "svc")
            .put("match", new JsonObject().put("pathPrefix", "/")).put("upstream", "svc")));
  }

  private static GatewayConfig parse(JsonObject json) throws ConfigException {
    return ConfigFiles.parse(json.encode());
  }
}
