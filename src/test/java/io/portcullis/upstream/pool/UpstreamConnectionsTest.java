package io.portcullis.upstream.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelPipeline;
import io.portcullis.config.PoolConfig;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.FaultBackend;
import io.portcullis.testkit.ManualScheduler;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One upstream's own pools over real sockets: each new connection is set up as Vert.x's pool's
 * connect handler would set up its own, carries request after request, and goes when the upstream
 * hangs up; the sweep forgets a pool with nothing left in it, and closing closes the idle
 * connections.
 */
class UpstreamConnectionsTest {

  private Vertx vertx;
  private Context loop;
  private HttpClientAgent client;
  private FaultBackend backend;
  private final ManualScheduler scheduler = new ManualScheduler();
  private final List<ChannelPipeline> setUp = new CopyOnWriteArrayList<>();
  private final List<HttpConnection> opened = new CopyOnWriteArrayList<>();
  private UpstreamConnections connections;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    loop = vertx.getOrCreateContext();
    client = vertx.createHttpClient();
    backend = FaultBackend.start((b, socket, request) ->
        socket.write(Buffer.buffer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")));
    connections = new UpstreamConnections(client, PoolConfig.defaults(), "svc", setUp::add, opened::add, scheduler);
  }

  @AfterEach
  void tearDown() {
    backend.close();
    Await.result(vertx.close());
  }

  @Test
  void aNewConnectionIsSetUpAndCountedOnceAndCarriesRequestAfterRequest() throws Exception {
    EndpointPool.Lease<UpstreamConnections.Connection> first = acquire();
    assertThat(get(first)).isEqualTo(200);
    runOnLoop(() -> pool().release(first, true));
    EndpointPool.Lease<UpstreamConnections.Connection> second = acquire();
    assertThat(get(second)).isEqualTo(200);

    assertThat(second.connection()).isSameAs(first.connection());
    assertThat(setUp).hasSize(1);
    assertThat(opened).hasSize(1);
    assertThat(backend.connections()).hasSize(1);
    assertThat(backend.requestCount()).isEqualTo(2);
  }

  @Test
  void theSweepForgetsAPoolWhoseConnectionsAreGoneAndThenStops() throws Exception {
    EndpointPool.Lease<UpstreamConnections.Connection> lease = acquire();
    ManualScheduler.Task sweep = scheduler.awaitNext(5_000);
    assertThat(sweep.delayMs()).isEqualTo(1_000);
    runOnLoop(() -> pool().release(lease, true));

    sweep.fireOn(loop);
    assertThat(onLoop(connections::pools)).as("an idle connection keeps its pool").isEqualTo(1);
    ManualScheduler.Task next = scheduler.awaitNext(5_000);

    backend.close(); // the upstream goes: its connection closes
    waitUntil(() -> onLoop(() -> pool().open()) == 0);
    next.fireOn(loop);

    assertThat(onLoop(connections::pools)).isZero();
    assertThat(scheduler.waiting()).as("no sweep once there is no pool").isZero();
  }

  @Test
  void closingClosesIdleConnectionsStopsTheSweepAndRefusesLaterRequests() throws Exception {
    EndpointPool.Lease<UpstreamConnections.Connection> lease = acquire();
    ManualScheduler.Task sweep = scheduler.awaitNext(5_000);
    runOnLoop(() -> pool().release(lease, true));

    runOnLoop(connections::close);

    Await.result(backend.connections().get(0).closed(), 5_000);
    assertThat(sweep.cancelled()).isTrue();
    CompletableFuture<Throwable> refusal = new CompletableFuture<>();
    loop.runOnContext(v -> pool().acquire(waiter(new CompletableFuture<>(), refusal)));
    assertThat(refusal.get(5, TimeUnit.SECONDS)).hasMessageContaining("closed");
  }

  private EndpointPool<UpstreamConnections.Connection> pool() {
    return connections.pool(SocketAddress.inetSocketAddress(backend.port(), "127.0.0.1"), "127.0.0.1", backend.port());
  }

  private EndpointPool.Lease<UpstreamConnections.Connection> acquire() throws Exception {
    CompletableFuture<EndpointPool.Lease<UpstreamConnections.Connection>> got = new CompletableFuture<>();
    CompletableFuture<Throwable> refused = new CompletableFuture<>();
    loop.runOnContext(v -> pool().acquire(waiter(got, refused)));
    CompletableFuture.anyOf(got, refused).get(5, TimeUnit.SECONDS);
    assertThat(refused).as("refused: %s", refused.getNow(null)).isNotDone();
    return got.get();
  }

  private static EndpointPool.Waiter<UpstreamConnections.Connection> waiter(
      CompletableFuture<EndpointPool.Lease<UpstreamConnections.Connection>> got, CompletableFuture<Throwable> refused) {
    return new EndpointPool.Waiter<>() {
      @Override
      public void acquired(EndpointPool.Lease<UpstreamConnections.Connection> lease) {
        got.complete(lease);
      }

      @Override
      public void refused(Throwable cause) {
        refused.complete(cause);
      }
    };
  }

  private int get(EndpointPool.Lease<UpstreamConnections.Connection> lease) {
    AtomicReference<io.vertx.core.Future<Integer>> status = new AtomicReference<>();
    CompletableFuture<Integer> done = new CompletableFuture<>();
    loop.runOnContext(v -> lease.connection().http()
        .request(new RequestOptions().setMethod(HttpMethod.GET).setURI("/").setHost("127.0.0.1").setPort(backend.port()))
        .compose(request -> request.send().compose(response -> response.end().map(x -> response)))
        .map(HttpClientResponse::statusCode)
        .onComplete(ar -> {
          if (ar.succeeded()) {
            done.complete(ar.result());
          } else {
            done.completeExceptionally(ar.cause());
          }
        }));
    try {
      return done.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private <T> T onLoop(Supplier<T> action) {
    CompletableFuture<T> result = new CompletableFuture<>();
    loop.runOnContext(v -> result.complete(action.get()));
    try {
      return result.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private void runOnLoop(Runnable action) {
    onLoop(() -> {
      action.run();
      return null;
    });
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met within 5 s");
      }
      Thread.sleep(10);
    }
  }
}
