package io.portcullis.lifecycle;

import io.portcullis.aggregate.AggregateHandler;
import io.portcullis.edge.EdgeConnections;
import io.portcullis.edge.ListenerOptions;
import io.portcullis.upstream.UpstreamClientOptions;
import io.portcullis.config.GatewayConfig;
import io.portcullis.health.HealthEndpoints;
import io.portcullis.http.ErrorResponses;
import io.portcullis.http.GatewayError;
import io.portcullis.http.GatewayException;
import io.portcullis.http.PathNormalizer;
import io.portcullis.http.RequestContext;
import io.portcullis.http.RequestFraming;
import io.portcullis.http.RequestIds;
import io.portcullis.proxy.Forwarding;
import io.portcullis.proxy.ProxyHandler;
import io.portcullis.proxy.UpstreamCaller;
import io.portcullis.proxy.WebSocketProxy;
import io.portcullis.proxy.WebSocketUpgrade;
import io.portcullis.resilience.Deadline;
import io.portcullis.resilience.DeadlineBudget;
import io.portcullis.resilience.GrpcTimeout;
import io.portcullis.route.RouteTable;
import io.portcullis.trace.RequestTrace;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * One event loop's HTTP server: every instance shares the listening port. The request path is
 * one chain per request: hygiene checks, reserved health paths, routing, deadline, then the
 * proxy or aggregate handler; every failure becomes a response in {@link #fail}.
 */
final class GatewayVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);
  private static final CharSequence CLOSE = HttpHeaders.createOptimized("close");
  private static final String GRPC_TIMEOUT = "grpc-timeout";

  /**
   * Test/ops knob: a system property overriding {@link EdgeConnections#DEFAULT_REQUEST_HEADER_TIMEOUT_MS} (milliseconds;
   * 0 or less turns the protection off), read once when each verticle is created (at start).
   */
  static final String REQUEST_HEADER_TIMEOUT_PROPERTY = "portcullis.requestHeaderTimeoutMs";

  private final GatewayRuntime runtime;
  private final long requestHeaderTimeoutMs =
      Long.getLong(REQUEST_HEADER_TIMEOUT_PROPERTY, EdgeConnections.DEFAULT_REQUEST_HEADER_TIMEOUT_MS);
  private HttpServer server;
  private LoopGenerations generations;
  private LoopGenerations.Generation healthGeneration;
  private boolean stopped;
  private HealthEndpoints health;
  private EdgeConnections connections;
  private final GatewayRuntime.Follower follower = this::adoptOnLoop;

  GatewayVerticle(GatewayRuntime runtime) {
    this.runtime = runtime;
  }

  @Override
  public Future<?> start() {
    RuntimeSnapshot snapshot = runtime.snapshot();
    GatewayConfig config = snapshot.config();
    generations = new LoopGenerations(vertx, UpstreamClientOptions::of, UpstreamClientOptions.pool(), this::handlers);
    health = new HealthEndpoints(vertx, runtime.readiness(), snapshot.upstreams().values());
    healthGeneration = generations.current(snapshot);
    runtime.follow(follower);
    HttpServerOptions serverOptions = ListenerOptions.of(config.server());
    connections = new EdgeConnections(serverOptions, requestHeaderTimeoutMs,
        ListenerOptions.priorKnowledgeH2c(config.server()));
    server = vertx.createHttpServer(serverOptions)
        .requestHandler(this::handle)
        .invalidRequestHandler(this::invalid)
        .connectionHandler(connections::accept);
    connections.serving(server, this::handle, this::invalid);
    // The drain starts: HTTP/2 clients get GOAWAY (their in-flight streams complete).
    vertx.eventBus().localConsumer(Gateway.DRAIN_ADDRESS, message -> connections.goAwayAll());
    // Port 0: a negative port makes Vert.x bind one random port shared by every instance.
    int port = config.server().port() == 0 ? -1 : config.server().port();
    return server.listen(port, config.server().host()).onSuccess(s -> runtime.boundPort(s.actualPort()));
  }

  /** A snapshot's handlers over this loop's clients of that snapshot. */
  private LoopGenerations.Handlers handlers(RuntimeSnapshot snapshot, Map<String, HttpClient> clients) {
    GatewayConfig config = snapshot.config();
    UpstreamCaller caller = new UpstreamCaller(vertx, clients, config.deadline().header(), runtime.metrics());
    ProxyHandler proxy = new ProxyHandler(caller, new Forwarding(config.deadline().header()),
        config.server().maxBodyBytes());
    return new LoopGenerations.Handlers(proxy,
        new AggregateHandler(caller, new Forwarding(config.deadline().header())),
        new WebSocketProxy(vertx, caller, new Forwarding(config.deadline().header()), proxy,
            EdgeConnections::tunnelled));
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
    // Stop accepting; keep-alive connections close after their current response; in-flight
    // requests get up to graceMs to finish (CONTRACT §6, steps 3 and 4).
    long graceMs = runtime.config().shutdown().graceMs();
    Future<Void> shutdown = server == null ? Future.succeededFuture()
        : server.shutdown(graceMs, TimeUnit.MILLISECONDS);
    return shutdown.eventually(() -> generations.closeAll());
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
    String requestId = RequestIds.newId();
    long start = runtime.ticker().nanos();
    RequestTrace trace = runtime.snapshot().tracing().start(request.headers());
    refuse(request, error, message, requestId);
    runtime.finished(requestId, request.method() == null ? "-" : request.method().name(),
        safePath(request), null, error.status(), start, null, 0, trace);
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

  private void handle(HttpServerRequest request) {
    long start = runtime.ticker().nanos();
    // Read once: this request uses this configuration to its end, whatever a reload does meanwhile.
    LoopGenerations.Generation generation = adopt(runtime.snapshot());
    RuntimeSnapshot snapshot = generation.snapshot();
    HttpServerResponse response = request.response();
    String requestId = RequestIds.keepOrCreate(request.getHeader("X-Request-Id"));
    response.headers().set("X-Request-Id", requestId);
    if (runtime.readiness().shuttingDown()) {
      closeAfterResponse(request);
    }
    String rawPath = request.path();
    RequestTrace trace = snapshot.tracing().start(request.headers());

    String framingProblem = RequestFraming.problem(request);
    if (framingProblem != null) {
      refuse(request, GatewayError.BAD_REQUEST, framingProblem, requestId);
      runtime.finished(requestId, request.method().name(), rawPath, null, 400, start, null, 0, trace);
      return;
    }
    String path = PathNormalizer.normalize(rawPath);
    if (path != null && HealthEndpoints.isHealthPath(path)) {
      // Reserved, never routed, in every spelling that normalizes to it.
      response.endHandler(v -> runtime.finished(requestId, request.method().name(), path, null,
          response.getStatusCode(), start, null, 0, trace));
      health.handle(path, response);
      return;
    }

    RequestContext ctx = new RequestContext(request, requestId, path == null ? rawPath : path, start);
    ctx.trace(trace);
    runtime.requestStarted();
    generations.acquire(generation);
    response.endHandler(v -> finish(ctx, generation));
    response.closeHandler(v -> {
      if (!response.ended()) {
        Deadline deadline = ctx.deadline();
        if (deadline != null) {
          deadline.cancel(Deadline.CancelReason.CLIENT_GONE);
        }
        finish(ctx, generation);
      }
    });
    if (path == null) {
      fail(ctx, new GatewayException(GatewayError.BAD_REQUEST, "malformed request path"));
      return;
    }
    if (request.method() == HttpMethod.TRACE || request.method() == HttpMethod.CONNECT) {
      // TRACE would reflect credentials back (cross-site tracing); CONNECT would open a tunnel.
      fail(ctx, new GatewayException(GatewayError.METHOD_NOT_ALLOWED, request.method().name() + " is not allowed"));
      return;
    }
    RouteTable.Match<RouteTarget> match = snapshot.routes().find(request.method().name(), path);
    if (match == null) {
      fail(ctx, new GatewayException(GatewayError.NO_ROUTE, "no route matches " + request.method().name() + " " + path));
      return;
    }
    ctx.route(match.entry().name());
    RouteTarget target = match.entry().target();
    GatewayException limited = target.rateLimit().refusal(request);
    if (limited != null) {
      fail(ctx, limited);
      return;
    }

    OptionalLong clientBudget;
    try {
      clientBudget = clientDeadline(request, snapshot.config().deadline().header());
    } catch (GatewayException e) {
      fail(ctx, e);
      return;
    }
    long budget = DeadlineBudget.budgetMs(target.timeoutMs(), clientBudget,
        parseGrpcTimeout(request), snapshot.config().deadline().maxMs());
    Deadline deadline = Deadline.after(budget, runtime.ticker(),
        err -> LOG.error("deadline cancel callback failed for request {}", requestId, err));
    ctx.deadline(deadline);
    ctx.deadlineTimer(vertx.setTimer(Math.max(1, budget), id -> onDeadline(ctx)));

    long contentLength = contentLength(request);
    boolean chunked = request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
    long maxBody = snapshot.config().server().maxBodyBytes();
    if (contentLength > maxBody) {
      closeAfterResponse(request);
      fail(ctx, new GatewayException(GatewayError.PAYLOAD_TOO_LARGE,
          "request body of " + contentLength + " bytes exceeds " + maxBody));
      return;
    }

    request.pause();
    if (request.headers().contains(HttpHeaders.EXPECT, HttpHeaders.CONTINUE, true)) {
      // The gateway will read the body: let the client send it (RFC 9110 §10.1.1). The
      // expectation is answered here, so it is not forwarded.
      response.writeContinue();
    }
    Future<Void> handled;
    if (target instanceof RouteTarget.Proxy p && p.route().websocket() && WebSocketUpgrade.isRequested(request)) {
      // The tunnel's end finishes the request (its generation's clients stay until then).
      handled = generation.webSocket().handle(ctx, p.route(), v -> finish(ctx, generation));
    } else if (target instanceof RouteTarget.Proxy p) {
      handled = generation.proxy().handle(ctx, p.route(), contentLength, chunked);
    } else {
      handled = generation.aggregate().handle(ctx, ((RouteTarget.Aggregate) target).route(), match.params());
    }
    handled.onFailure(err -> fail(ctx, err));
  }

  /**
   * HTTP/1.x: sends {@code Connection: close} and really closes the connection once the response
   * is on the wire (RFC 9112 §9.6); Vert.x itself only looks at the request's keep-alive.
   * HTTP/2: the connection carries other streams and is never closed for one; while draining it
   * gets a graceful {@code GOAWAY} (RFC 9113 §6.8), otherwise nothing (the stream ends alone).
   */
  private void closeAfterResponse(HttpServerRequest request) {
    if (request.version() == HttpVersion.HTTP_2) {
      if (runtime.readiness().shuttingDown()) {
        request.connection().goAway(0);
      }
      return;
    }
    HttpServerResponse response = request.response();
    response.headers().set(HttpHeaders.CONNECTION, CLOSE);
    response.bodyEndHandler(v -> request.connection().close());
  }

  private static long contentLength(HttpServerRequest request) {
    String value = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (value == null) {
      return -1;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1; // the decoder has already refused a non-numeric length
    }
  }

  private static OptionalLong clientDeadline(HttpServerRequest request, String name) {
    String value = request.getHeader(name);
    if (value == null) {
      return OptionalLong.empty();
    }
    String v = value.trim();
    boolean digits = !v.isEmpty() && v.length() <= 18;
    for (int i = 0; digits && i < v.length(); i++) {
      char c = v.charAt(i);
      digits = c >= '0' && c <= '9';
    }
    long ms = digits ? Long.parseLong(v) : 0;
    if (ms <= 0) {
      throw new GatewayException(GatewayError.BAD_REQUEST, name + " must be a positive integer of milliseconds");
    }
    return OptionalLong.of(ms);
  }

  private static OptionalLong parseGrpcTimeout(HttpServerRequest request) {
    String value = request.getHeader(GRPC_TIMEOUT);
    return value == null ? OptionalLong.empty() : GrpcTimeout.parseMillis(value.trim());
  }

  private void onDeadline(RequestContext ctx) {
    ctx.deadlineTimer(-1);
    if (ctx.finished()) {
      return;
    }
    HttpServerResponse response = ctx.request().response();
    if (!response.headWritten() && !response.ended()) {
      // Answer 504 first: an upstream head may have been copied but not written yet; drop it.
      response.headers().clear();
      response.headers().set("X-Request-Id", ctx.requestId());
      // The exchange was cut mid-way (possibly mid-upload): start the client afresh.
      closeAfterResponse(ctx.request());
      fail(ctx, new GatewayException(GatewayError.DEADLINE_EXCEEDED,
          "no upstream answered within " + ctx.deadline().budgetMs() + " ms"));
      ctx.deadline().cancel(Deadline.CancelReason.DEADLINE_EXCEEDED);
    } else {
      ctx.deadline().cancel(Deadline.CancelReason.DEADLINE_EXCEEDED);
      if (!response.ended()) {
        response.reset();
      }
    }
  }

  /** The one place a failed request becomes an error response. */
  private void fail(RequestContext ctx, Throwable failure) {
    HttpServerResponse response = ctx.request().response();
    GatewayException error;
    if (failure instanceof GatewayException g) {
      error = g;
    } else {
      LOG.error("request {} failed inside the gateway", ctx.requestId(), failure);
      error = new GatewayException(GatewayError.INTERNAL, "internal gateway error");
    }
    if (response.headWritten()) {
      if (!response.ended()) {
        response.reset();
      }
      return;
    }
    HttpServerRequest request = ctx.request();
    boolean bodyUnread = (request.headers().contains(HttpHeaders.TRANSFER_ENCODING)
        || contentLength(request) > 0) && !request.isEnded();
    if (bodyUnread) {
      // The rest of the request body will never be read: the connection cannot be reused.
      closeAfterResponse(request);
    }
    ErrorResponses.send(response, error.error(), error.getMessage(), ctx.requestId(), ctx.route(),
        ctx.upstream(), error.retryAfterSeconds());
  }

  private void finish(RequestContext ctx, LoopGenerations.Generation generation) {
    if (!ctx.finish()) {
      return;
    }
    generations.release(generation);
    if (ctx.deadlineTimer() >= 0) {
      vertx.cancelTimer(ctx.deadlineTimer());
    }
    HttpServerResponse response = ctx.request().response();
    boolean upgraded = response.headWritten() && response.getStatusCode() == 101;
    int status = response.ended() || upgraded ? response.getStatusCode() : 499;
    runtime.requestFinished();
    runtime.finished(ctx.requestId(), ctx.request().method().name(), ctx.path(), ctx.route(), status,
        ctx.startNanos(), ctx.upstream(), ctx.attempts(), ctx.trace());
  }
}
