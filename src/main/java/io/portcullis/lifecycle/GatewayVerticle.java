package io.portcullis.lifecycle;

import io.portcullis.aggregate.AggregateHandler;
import io.portcullis.aggregate.AggregateRoute;
import io.portcullis.config.GatewayConfig;
import io.portcullis.config.RedisConfig;
import io.portcullis.edge.CertificatePair;
import io.portcullis.edge.EdgeConnections;
import io.portcullis.edge.ListenerCertificate;
import io.portcullis.edge.ListenerOptions;
import io.portcullis.edge.TrustedProxies;
import io.portcullis.health.HealthEndpoints;
import io.portcullis.http.ErrorResponses;
import io.portcullis.http.GatewayError;
import io.portcullis.http.RequestIds;
import io.portcullis.observe.OpenConnections;
import io.portcullis.pipeline.DispatchStage;
import io.portcullis.pipeline.Exchange;
import io.portcullis.pipeline.RequestPath;
import io.portcullis.pipeline.RequestPaths;
import io.portcullis.pipeline.ReservedPathStage;
import io.portcullis.pipeline.Stage;
import io.portcullis.proxy.Forwarding;
import io.portcullis.proxy.ProxyHandler;
import io.portcullis.proxy.ProxyRoute;
import io.portcullis.proxy.UpstreamCaller;
import io.portcullis.proxy.WebSocketProxy;
import io.portcullis.ratelimit.RedisRateStore;
import io.portcullis.resilience.EventClock;
import io.portcullis.trace.RequestTrace;
import io.portcullis.upstream.UpstreamClientOptions;
import io.portcullis.upstream.pool.UpstreamClient;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One event loop's HTTP server: every instance shares the listening port. Connections are set up
 * by {@link EdgeConnections}; each request goes through the {@link RequestPath} of the current
 * snapshot on this loop (built once per snapshot, over this loop's connection pools). Requests
 * the decoder could not read are refused here, before any request path.
 */
final class GatewayVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);
  private static final CharSequence CLOSE = HttpHeaders.createOptimized("close");


  private final GatewayRuntime runtime;
  private final long requestHeaderTimeoutMs;
  private final ListenerCertificate certificate;
  private HttpServer server;
  private LoopGenerations generations;
  private LoopGenerations.Generation healthGeneration;
  private boolean stopped;
  private HealthEndpoints health;
  private ReservedPathStage.ReservedPaths reservedPaths;
  private EdgeConnections connections;
  private final GatewayRuntime.Follower follower = this::adoptOnLoop;
  /** This loop's connection to the Redis of cluster rate limits, made on first use; null without {@code redis}. */
  private RedisRateStore clusterStore;
  private RedisConfig clusterStoreConfig;

  /**
   * @param requestHeaderTimeoutMs the request-header timeout of every connection (0 or less: off)
   * @param certificate the certificate the listener serves and follows on reload; null without TLS
   */
  GatewayVerticle(GatewayRuntime runtime, long requestHeaderTimeoutMs, ListenerCertificate certificate) {
    this.runtime = runtime;
    this.requestHeaderTimeoutMs = requestHeaderTimeoutMs;
    this.certificate = certificate;
  }

  @Override
  public Future<?> start() {
    RuntimeSnapshot snapshot = runtime.snapshot();
    GatewayConfig config = snapshot.config();
    health = new HealthEndpoints(vertx, runtime.readiness(), snapshot.upstreams().values());
    reservedPaths = new ReservedPathStage.ReservedPaths() {
      @Override
      public boolean isReserved(String normalizedPath) {
        return HealthEndpoints.isHealthPath(normalizedPath);
      }

      @Override
      public void answer(String normalizedPath, HttpServerResponse response) {
        health.handle(normalizedPath, response);
      }
    };
    generations = new LoopGenerations(vertx, UpstreamClientOptions::of, UpstreamClientOptions::pool, this::path,
        runtime.metrics()::upstreamConnections);
    healthGeneration = generations.current(snapshot);
    runtime.follow(follower);
    CertificatePair pair = certificate == null ? null : certificate.current();
    HttpServerOptions serverOptions = ListenerOptions.of(config.server(), requestHeaderTimeoutMs,
        pair == null ? null : pair.keyCertOptions());
    connections = new EdgeConnections(serverOptions, requestHeaderTimeoutMs,
        ListenerOptions.priorKnowledgeH2c(config.server()));
    OpenConnections open = runtime.metrics().downstreamConnections();
    server = vertx.createHttpServer(serverOptions)
        .requestHandler(this::handle)
        .invalidRequestHandler(this::invalid)
        .connectionHandler(connection -> {
          open.handle(connection);
          connections.accept(connection);
        });
    if (config.server().proxyProtocol()) {
      // Connections closed for a missing or malformed PROXY header: counted, never logged per connection.
      server.exceptionHandler(runtime.proxyHeaderRejections());
    }
    connections.serving(server, this::handle, this::invalid);
    // The drain starts: HTTP/2 clients get GOAWAY (their in-flight streams complete).
    vertx.eventBus().localConsumer(Gateway.DRAIN_ADDRESS, message -> connections.goAwayAll());
    // Port 0: a negative port makes Vert.x bind one random port shared by every instance.
    int port = config.server().port() == 0 ? -1 : config.server().port();
    return server.listen(port, config.server().host()).onSuccess(s -> {
      runtime.boundPort(s.actualPort());
      if (pair != null) {
        certificate.serving(s, serverOptions.getSslOptions(), pair);
      }
    }).recover(err -> Future.failedFuture(
        new ListenFailure("main listener", config.server().host(), config.server().port(), err)));
  }

  /** A snapshot's request path over this loop's clients of that snapshot. */
  private RequestPath path(LoopGenerations.Generation generation, Map<String, UpstreamClient> clients) {
    RuntimeSnapshot snapshot = generation.snapshot();
    GatewayConfig config = snapshot.config();
    String deadlineHeader = config.deadline().header();
    UpstreamCaller caller = new UpstreamCaller(vertx, clients, deadlineHeader, runtime.metrics(), runtime.ticker());
    ProxyHandler proxy = new ProxyHandler(caller, new Forwarding(deadlineHeader), config.server().maxBodyBytes());
    AggregateHandler aggregate = new AggregateHandler(caller, new Forwarding(deadlineHeader));
    WebSocketProxy webSocket = new WebSocketProxy(vertx, caller, new Forwarding(deadlineHeader), proxy,
        EdgeConnections::tunnelled);
    DispatchStage.Dispatcher dispatcher = new DispatchStage.Dispatcher() {
      @Override
      public void proxy(Exchange exchange, ProxyRoute route) {
        proxy.forward(exchange, route, exchange.contentLength(), exchange.chunked(), exchange.exchangeObserver(),
            exchange);
      }

      @Override
      public Future<Void> webSocket(Exchange exchange, ProxyRoute route, Handler<Void> onTunnelClosed) {
        return webSocket.handle(exchange, route, onTunnelClosed);
      }

      @Override
      public Future<Void> aggregate(Exchange exchange, AggregateRoute route) {
        return aggregate.handle(exchange, route, exchange.params(), exchange.branchAdmission());
      }
    };
    Stage[] stages = RequestPaths.standard(reservedPaths, snapshot.routes(), deadlineHeader,
        config.deadline().maxMs(), config.server().maxHeaderBytes(), config.server().maxBodyBytes(), runtime.ticker(), runtime.scheduler(), dispatcher,
        config.server().maxHops(), clusterStore(config.redis()), runtime.metrics()::shed);
    TrustedProxies trustedProxies = TrustedProxies.of(config.server().trustedProxies());
    return new RequestPath(stages, runtime.readiness(), snapshot.tracing(), new RequestPath.Listener() {
      @Override
      public void started(Exchange exchange) {
        runtime.requestStarted();
        generations.acquire(generation);
      }

      @Override
      public void finished(Exchange exchange, int status) {
        generations.release(generation);
        runtime.requestFinished();
        runtime.finished(exchange, status);
      }
    }, trustedProxies);
  }

  /**
   * This loop's store for {@code redis}: the one it has while {@code redis.endpoint} and
   * {@code timeoutMs} are unchanged, else a new one (connecting at once, without waiting). A store that is
   * replaced is closed once the answers it may still owe are past their timeout: a request
   * suspended on it is decided by it or by its fallback, never cut short.
   */
  private RedisRateStore clusterStore(Optional<RedisConfig> redis) {
    RedisConfig wanted = redis.orElse(null);
    if (wanted == null ? clusterStoreConfig == null : wanted.equals(clusterStoreConfig)) {
      return clusterStore;
    }
    RedisRateStore previous = clusterStore;
    if (previous != null) {
      runtime.scheduler().schedule(clusterStoreConfig.timeoutMs() + 1_000, previous::close);
    }
    clusterStoreConfig = wanted;
    clusterStore = wanted == null ? null : new RedisRateStore(vertx, wanted.endpoint(), wanted.timeoutMs(),
        RedisRateStore.DEFAULT_MAX_OUTSTANDING, runtime.storeHealth(wanted.endpoint()), runtime.ticker(),
        runtime.scheduler());
    if (clusterStore != null) {
      clusterStore.connectAhead();
    }
    return clusterStore;
  }

  /** Adopts a snapshot a reload installed, on this verticle's event loop. */
  private Future<Void> adoptOnLoop(RuntimeSnapshot snapshot) {
    Promise<Void> adopted = Promise.promise();
    context.runOnContext(v -> {
      try {
        if (!stopped) {
          adopt(snapshot);
        }
      } catch (RuntimeException e) {
        LOG.error("event loop could not adopt configuration generation {}", snapshot.generation(), e);
      }
      adopted.complete();
    });
    return adopted.future();
  }

  /** The generation for {@code snapshot} (adopted first if newer); the health checks follow its upstreams. */
  private LoopGenerations.Generation adopt(RuntimeSnapshot snapshot) {
    LoopGenerations.Generation now = generations.current(snapshot);
    if (now != healthGeneration) {
      healthGeneration = now;
      health.follow(now.snapshot().upstreams().values());
    }
    return now;
  }

  @Override
  public Future<?> stop() {
    runtime.unfollow(follower);
    stopped = true;
    if (certificate != null && server != null) {
      certificate.stopped(server);
    }
    // Stop accepting; keep-alive connections close after their current response; in-flight
    // requests get up to graceMs to finish (README "Signals and shutdown", steps 3 and 4).
    long graceMs = runtime.config().shutdown().graceMs();
    Future<Void> shutdown = server == null ? Future.succeededFuture()
        : server.shutdown(graceMs, TimeUnit.MILLISECONDS);
    return shutdown.eventually(() -> {
      if (clusterStore != null) {
        clusterStore.close();
      }
      return generations.closeAll();
    });
  }

  /** Requests Netty could not decode: over-long line or headers, or broken framing. */
  private void invalid(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    GatewayError error;
    String message;
    if (cause instanceof TooLongHttpHeaderException) {
      error = GatewayError.HEADERS_TOO_LARGE;
      message = "request headers exceed " + runtime.config().server().maxHeaderBytes() + " bytes";
    } else if (cause instanceof TooLongHttpLineException) {
      error = GatewayError.URI_TOO_LONG;
      message = "request line too long";
    } else if (cause instanceof TooLongFrameException) {
      error = GatewayError.HEADERS_TOO_LARGE;
      message = "request headers too large";
    } else {
      error = GatewayError.BAD_REQUEST;
      message = "malformed request: " + (cause == null ? "unknown" : cause.getMessage());
    }
    // The client's own id where the head was decoded far enough to have it (a refused framing,
    // CONTRACT §4 "also returned on every response"); a new one otherwise.
    String requestId = RequestIds.keepOrCreate(clientRequestId(request));
    long start = runtime.ticker().nanos();
    RequestTrace trace = runtime.snapshot().tracing().start(request.headers());
    refuse(request, error, message, requestId);
    runtime.refused(request, requestId, request.method() == null ? "-" : request.method().name(),
        safePath(request), error, start, trace);
  }

  private static String clientRequestId(HttpServerRequest request) {
    try {
      return request.getHeader("x-request-id");
    } catch (RuntimeException e) {
      return null; // nothing usable was decoded
    }
  }

  private static String safePath(HttpServerRequest request) {
    try {
      return request.path();
    } catch (RuntimeException e) {
      return "-";
    }
  }

  /**
   * Answers with an error and closes an HTTP/1.x connection (its framing can no longer be
   * trusted); on HTTP/2 only this stream is refused (the framing is per frame).
   */
  private void refuse(HttpServerRequest request, GatewayError error, String message, String requestId) {
    HttpServerResponse response = request.response();
    boolean http2 = request.version() == HttpVersion.HTTP_2;
    if (!http2) {
      response.headers().set(HttpHeaders.CONNECTION, CLOSE);
    }
    response.headers().set("X-Request-Id", requestId);
    ErrorResponses.send(response, error, message, requestId, null, null, -1)
        .onComplete(ar -> {
          if (!http2) {
            request.connection().close();
          }
        });
  }

  /** Every request: this loop's request path of the current snapshot takes it. */
  private void handle(HttpServerRequest request) {
    // One event: the head's work (start, deadline, budget, first attempt) reads the clock once.
    EventClock.open();
    try {
      long start = runtime.ticker().nanos();
      // Read once: this request uses this configuration to its end, whatever a reload does meanwhile.
      adopt(runtime.snapshot()).path().handle(request, start);
    } finally {
      EventClock.close();
    }
  }
}
