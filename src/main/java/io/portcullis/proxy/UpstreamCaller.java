package io.portcullis.proxy;

import io.portcullis.config.Endpoint;
import io.portcullis.http.GatewayError;
import io.portcullis.http.GatewayException;
import io.portcullis.http.HopByHop;
import io.portcullis.http.RequestContext;
import io.portcullis.latency.LatencyHistogram;
import io.portcullis.latency.LatencyRecorder;
import io.portcullis.observe.GatewayMetrics;
import io.portcullis.resilience.Attempts;
import io.portcullis.resilience.Deadline;
import io.portcullis.resilience.EventClock;
import io.portcullis.resilience.Outcome;
import io.portcullis.resilience.RequestTraits;
import io.portcullis.resilience.Ticker;
import io.portcullis.trace.AttemptSpan;
import io.portcullis.upstream.EndpointBreaker;
import io.portcullis.upstream.EndpointState;
import io.portcullis.upstream.Upstream;
import io.portcullis.upstream.pool.EndpointPool;
import io.portcullis.upstream.pool.UpstreamClient;
import io.portcullis.upstream.pool.UpstreamConnections;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;

import java.util.Map;
import java.util.WeakHashMap;

/**
 * The one upstream call pipeline, in a fixed order:
 * {@code deadline budget → retry operator → breaker-aware endpoint pick → circuit breaker → one attempt}.
 * One instance per verticle: it owns that event loop's HTTP clients (pooled keep-alive
 * connections per endpoint). Failures are mapped to gateway errors in {@link #toGatewayException}.
 */
public final class UpstreamCaller {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(UpstreamCaller.class);

  /** Header carrying the attempt number (1 on the first attempt). */
  public static final String ATTEMPT_HEADER = "X-Attempt-Count";
  private static final CharSequence ATTEMPT_NAME = HttpHeaders.createOptimized(ATTEMPT_HEADER);
  /** The values of {@link #ATTEMPT_HEADER} for the first attempts, made once. */
  private static final String[] ATTEMPT_VALUES = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"};

  private final Vertx vertx;
  private final Map<String, UpstreamClient> clients;
  private final CharSequence deadlineHeader;
  private final GatewayMetrics metrics;
  private final Ticker ticker;
  /**
   * The options of every attempt's request on Vert.x's pool, refilled each time: this caller is
   * confined to its event loop, and {@code HttpClient.request(RequestOptions)} reads them before it
   * returns. A request on a connection of the gateway's own pools uses that connection's options
   * ({@link UpstreamConnections.Connection#options()}): they may be read after the call returns.
   */
  private final RequestOptions requestOptions = new RequestOptions().setFollowRedirects(false);
  /**
   * This event loop's recorder of each upstream latency histogram that hedging reads (README
   * "Hedged requests", {@code hedge.percentile}); weak, so a histogram no configuration uses any
   * more is forgotten.
   */
  private final Map<LatencyHistogram, LatencyRecorder> recorders = new WeakHashMap<>();

  /**
   * A caller over {@code clients} (one per upstream name, owned by the calling verticle): a
   * plain-HTTP request that is no upgrade goes on the client's own keep-alive pools
   * ({@link UpstreamClient#connections()}), any other on its Vert.x client.
   *
   * @param deadlineHeader the header sent upstream with the milliseconds left
   * @param ticker the clock that times each attempt to its response head
   */
  public UpstreamCaller(Vertx vertx, Map<String, UpstreamClient> clients, String deadlineHeader, GatewayMetrics metrics,
                        Ticker ticker) {
    this.vertx = vertx;
    this.clients = clients;
    this.deadlineHeader = HttpHeaders.createOptimized(deadlineHeader);
    this.metrics = metrics;
    this.ticker = ticker;
  }

  /**
   * Calls the plan's upstream for {@code ctx}, retrying per the plan. Completes with the
   * response head of the last attempt (body paused), or fails with what the last attempt
   * failed with; map that with {@link #toGatewayException}.
   */
  public Future<UpstreamExchange> call(RequestContext ctx, CallPlan plan, OutboundRequest out) {
    if (plan.upstream().endpoints().length == 0) {
      // DNS discovery has not had a first answer for any of the upstream's names yet.
      return Future.failedFuture(new GatewayException(GatewayError.UPSTREAM_UNAVAILABLE,
          "upstream " + plan.upstreamName() + " has no endpoint yet: DNS has not resolved its names"));
    }
    plan.upstream().retryBudget().recordRequest();
    RequestTraits traits = new RequestTraits(out.method().name(), out.hasIdempotencyKey(), out.body().replayable());
    LatencyRecorder recorder = plan.latency() == null ? null : recorders.computeIfAbsent(plan.latency(),
        LatencyHistogram::newRecorder);
    return plan.retry().execute(ctx.deadline(), traits, new PlanAttempts(ctx, plan, out, recorder,
        plan.retry().hedges(traits)));
  }

  /**
   * {@link #toGatewayException(Throwable, CallPlan)} for a request with {@code deadline}: a failure
   * without an upstream answer (a connect that gave up, a reset) that ends once the deadline has
   * passed is the deadline's 504, not a 502. On a busy event loop the deadline's timer can fire a
   * moment after such an attempt ends; what ran out is still the client's time.
   */
  public static GatewayException toGatewayException(Throwable failure, CallPlan plan, Deadline deadline) {
    GatewayException error = toGatewayException(failure, plan);
    if (error.error() == GatewayError.UPSTREAM_UNAVAILABLE && deadline != null && deadline.expired()) {
      return new GatewayException(GatewayError.DEADLINE_EXCEEDED, "the request deadline passed", failure);
    }
    return error;
  }

  /** The one place an upstream failure becomes a gateway error. */
  public static GatewayException toGatewayException(Throwable failure, CallPlan plan) {
    if (failure instanceof GatewayException g) {
      return g;
    }
    if (failure instanceof AttemptFailure af) {
      if (af.getCause() instanceof GatewayException g) {
        return g;
      }
      switch (af.outcome().kind()) {
        case CIRCUIT_OPEN:
          return new GatewayException(GatewayError.CIRCUIT_OPEN,
              "every endpoint of upstream " + plan.upstreamName() + " is open",
              plan.breakers().secondsUntilFirstHalfOpen(), null);
        case PER_TRY_TIMEOUT:
          return new GatewayException(GatewayError.DEADLINE_EXCEEDED,
              "upstream " + plan.upstreamName() + " did not answer within perTryTimeoutMs");
        case CANCELLED:
          return new GatewayException(GatewayError.DEADLINE_EXCEEDED, "the request deadline passed");
        default:
          return new GatewayException(GatewayError.UPSTREAM_UNAVAILABLE,
              "upstream " + plan.upstreamName() + " is unavailable: " + af.getMessage(), af);
      }
    }
    return new GatewayException(GatewayError.UPSTREAM_UNAVAILABLE,
        "upstream " + plan.upstreamName() + " is unavailable", failure);
  }

  /**
   * Whether the connection of {@code response} may carry another request: not after
   * {@code Connection: close} (alone or in a list), nor after an HTTP/1.0 response without
   * {@code Connection: keep-alive} (Vert.x closes such a connection once the exchange ends).
   */
  static boolean keepAlive(HttpClientResponse response) {
    if (response.version() == HttpVersion.HTTP_1_0) {
      String connection = response.getHeader(HttpHeaders.CONNECTION);
      return connection != null && HttpHeaders.KEEP_ALIVE.toString().equalsIgnoreCase(connection.trim());
    }
    return !HopByHop.asksToClose(response.headers());
  }

  /** Classifies a response head: its status. */
  static Outcome classify(HttpClientResponse response) {
    return Outcome.response(response.statusCode());
  }

  /**
   * The attempts of one call: picks an endpoint, runs it under its breaker, sends once. A hedged
   * call (README "Hedged requests") also keeps each attempt's request, so that an attempt that lost
   * can be reset ({@link #cancel}); its outcome is then {@code cancelled}, not a breaker failure.
   */
  private final class PlanAttempts implements Attempts<UpstreamExchange> {
    private final RequestContext ctx;
    private final CallPlan plan;
    private final OutboundRequest out;
    private final LatencyRecorder recorder;
    /** Per attempt number, for hedged calls only (else null): its request once sent, and whether it lost. */
    private final HttpClientRequest[] requests;
    /** Per attempt number, for hedged calls only: the attempt while it waits in a pool's queue. */
    private final Attempt[] queued;
    private final boolean[] cancelled;
    private long triedMask;
    /** The endpoint of the attempt started last (-1 before the first). */
    private int lastIndex = -1;
    private long lastDeadlineSent = Long.MAX_VALUE;
    /** The last exchange classified, and its outcome: each head is classified once. */
    private UpstreamExchange lastExchange;
    private Outcome lastOutcome;

    PlanAttempts(RequestContext ctx, CallPlan plan, OutboundRequest out, LatencyRecorder recorder, boolean hedged) {
      this.ctx = ctx;
      this.plan = plan;
      this.out = out;
      this.recorder = recorder;
      int slots = hedged ? plan.retry().policy().maxAttempts() + 1 : 0;
      this.requests = hedged ? new HttpClientRequest[slots] : null;
      this.queued = hedged ? new Attempt[slots] : null;
      this.cancelled = hedged ? new boolean[slots] : null;
    }

    @Override
    public void cancel(int attemptNumber) {
      if (cancelled == null || attemptNumber >= cancelled.length) {
        return;
      }
      cancelled[attemptNumber] = true;
      HttpClientRequest request = requests[attemptNumber];
      if (request != null) {
        requests[attemptNumber] = null;
        request.reset(); // its response future fails, and the attempt ends as cancelled
      }
      Attempt waiting = queued[attemptNumber];
      if (waiting != null) {
        waiting.leaveQueue("cancelled: another attempt won");
      }
    }

    @Override
    public void abort(UpstreamExchange exchange) {
      exchange.abort();
    }

    private boolean cancelled(int attemptNumber) {
      return cancelled != null && attemptNumber < cancelled.length && cancelled[attemptNumber];
    }

    @Override
    public Future<UpstreamExchange> attempt(int attemptNumber) {
      Upstream.BreakerSet breakers = plan.breakers();
      int index = breakers.pick(triedMask, lastIndex);
      if (index < 0) {
        metrics.attempt(plan.upstreamName(), Outcome.circuitOpen());
        return Future.failedFuture(new AttemptFailure(Outcome.circuitOpen(), "every endpoint is open", null));
      }
      if (index < 64) {
        triedMask |= 1L << index;
      }
      lastIndex = index;
      EndpointState endpoint = plan.upstream().endpoints()[index];
      EndpointBreaker breaker = breakers.breaker(index);
      ctx.countAttempt();
      AttemptSpan span = ctx.trace() == null ? null : ctx.trace().attempt(attemptNumber);
      // Timed from here (a pooled connection or a new one included) to the response head.
      long startNanos = ticker.nanos();
      if (breaker.state() == EndpointBreaker.State.CLOSED) {
        // The common case: the attempt counts its own breaker failure and records itself before
        // its one listener (the retry run) sees the outcome, as EndpointBreaker.execute would.
        return new Attempt(endpoint, breaker, attemptNumber, span, startNanos).start();
      }
      // Half-open trial (or opened meanwhile): the breaker runs the attempt, or refuses it.
      Attempt attempt = new Attempt(endpoint, null, attemptNumber, span, startNanos);
      return breaker.execute(attempt::start, this::isBreakerFailure).onComplete(ar -> record(endpoint, span, startNanos,
          ar.succeeded() ? ar.result() : null, ar.failed() ? ar.cause() : null));
    }

    /**
     * An attempt's span, endpoint failure count, latency sample and metrics, once its outcome is
     * known: {@code exchange} when it succeeded, else {@code failure}.
     */
    private void record(EndpointState endpoint, AttemptSpan span, long startNanos, UpstreamExchange exchange,
                        Throwable failure) {
      if (failure instanceof AttemptFailure af && af.isShed()) {
        // Nothing was sent (pool.maxPending): no attempt for the endpoint, the metrics or the log.
        if (span != null) {
          span.end(out.method().name(), ctx.route(), plan.upstreamName(), endpoint.address(), 0, true);
        }
        ctx.uncountAttempt();
        return;
      }
      Outcome outcome = exchange != null ? outcomeOf(exchange) : failureOutcome(failure);
      boolean failureStatus = exchange != null && plan.failureStatusSet().contains(outcome.status());
      if (span != null) {
        span.end(out.method().name(), ctx.route(), plan.upstreamName(), endpoint.address(), outcome.status(),
            exchange == null || failureStatus);
      }
      if (exchange == null && outcome.kind() != Outcome.Kind.CANCELLED && outcome.kind() != Outcome.Kind.CIRCUIT_OPEN) {
        endpoint.recordFailure();
      } else if (failureStatus) {
        endpoint.recordFailure();
      }
      long headNanos = exchange != null ? ticker.nanos() - startNanos : -1;
      if (recorder != null && headNanos >= 0) {
        recorder.record(headNanos);
      }
      metrics.attempt(plan.upstreamName(), outcome, headNanos);
    }

    private boolean isBreakerFailure(AsyncResult<UpstreamExchange> ar) {
      if (ar.succeeded()) {
        return plan.failureStatusSet().contains(ar.result().response().statusCode());
      }
      return ar.cause() instanceof AttemptFailure af && af.isBreakerFailure();
    }

    @Override
    public Outcome classify(AsyncResult<UpstreamExchange> result) {
      return result.succeeded() ? outcomeOf(result.result()) : failureOutcome(result.cause());
    }

    /** The outcome of a response head, classified once per exchange (the last one is kept). */
    private Outcome outcomeOf(UpstreamExchange exchange) {
      if (exchange != lastExchange) {
        lastOutcome = UpstreamCaller.classify(exchange.response());
        lastExchange = exchange;
      }
      return lastOutcome;
    }

    private Outcome failureOutcome(Throwable cause) {
      if (cause instanceof AttemptFailure af) {
        return af.outcome();
      }
      if (cause instanceof OpenCircuitException) {
        return Outcome.circuitOpen();
      }
      return Outcome.otherFailure();
    }

    @Override
    public boolean canAttempt() {
      return plan.breakers().anyAvailable();
    }

    @Override
    public void discard(UpstreamExchange exchange) {
      exchange.discard();
    }

    /**
     * One attempt, from the connection to the response head, as one object: its promise has a
     * single listener, and the request's response and the deadline's cancel (a reset) come
     * straight here. Confined to the caller's event loop (the deadline's cancel only resets the
     * request). On the gateway's own pool it waits for its connection as the pool's waiter, and
     * gives the connection back once its request is sent and its response has ended
     * ({@link LeaseReturn}).
     */
    private final class Attempt implements Handler<AsyncResult<HttpClientResponse>>, Runnable,
        EndpointPool.Waiter<UpstreamConnections.Connection> {
      private final EndpointState endpoint;
      /** The endpoint's breaker when the attempt counts its own failures (closed), else null. */
      private final EndpointBreaker closedBreaker;
      private final int attemptNumber;
      private final AttemptSpan span;
      private final long startNanos;
      private final Promise<UpstreamExchange> promise = Promise.promise();
      private HttpClientRequest request;
      /** The own pool's connection while the attempt holds it, and its pool; else null. */
      private EndpointPool.Lease<UpstreamConnections.Connection> lease;
      private EndpointPool<UpstreamConnections.Connection> pool;
      private LeaseReturn leaseReturn;
      /** While the attempt waits in the own pool's queue: the deadline's cancel, which takes it out. */
      private Deadline.Registration queueHook;
      private Deadline.Registration cancelHook;
      private long timer = -1;
      private boolean timedOut;
      private boolean done;

      Attempt(EndpointState endpoint, EndpointBreaker closedBreaker, int attemptNumber, AttemptSpan span,
              long startNanos) {
        this.endpoint = endpoint;
        this.closedBreaker = closedBreaker;
        this.attemptNumber = attemptNumber;
        this.span = span;
        this.startNanos = startNanos;
      }

      Future<UpstreamExchange> start() {
        Deadline deadline = ctx.deadline();
        if (deadline.isCancelled() || deadline.expired()) {
          fail(new AttemptFailure(Outcome.cancelled(), "deadline passed before the attempt", null));
          return promise.future();
        }
        UpstreamClient client = clients.get(plan.upstreamName());
        Endpoint address = endpoint.address();
        boolean ssl = "https".equals(address.scheme());
        endpoint.acquire();
        UpstreamConnections own = client.connections();
        if (own != null && !ssl && out.body() != RequestBody.UPGRADE) {
          pool = own.pool(endpoint.server(), address.hostName(), endpoint.port());
          // acquired(...) or refused(...), now or once a connection frees up
          if (pool.acquire(this)) {
            // Queued: the deadline's cancel, or another attempt's win, takes it out of the queue.
            if (queued != null) {
              queued[attemptNumber] = this;
            }
            queueHook = ctx.deadline().onCancel(() -> leaveQueue("cancelled while waiting for a connection"));
          }
          return promise.future();
        }
        // https endpoints: TLS with SNI and the checks of the upstream's client options; a failed
        // handshake fails the connect, so it is a connect failure like a refused one.
        client.http().request(fill(requestOptions, ssl).setServer(endpoint.server())).onComplete(this::connected);
        return promise.future();
      }

      /** {@code options} for this attempt's request. */
      private RequestOptions fill(RequestOptions options, boolean ssl) {
        return options
            .setMethod(out.method())
            .setHost(endpoint.address().hostName()) // a discovered endpoint: its name (Host, SNI, certificate), sent to endpoint.server()
            .setPort(endpoint.port())
            .setURI(out.uri())
            .setSsl(ssl);
      }

      /** A connection of the own pool is this attempt's: the request goes on it, unless the attempt is over. */
      @Override
      public void acquired(EndpointPool.Lease<UpstreamConnections.Connection> lease) {
        leftQueue();
        if (done || ctx.deadline().isCancelled() || ctx.deadline().expired() || cancelled(attemptNumber)) {
          // Nothing was written on it: the connection goes back as it came.
          pool.release(lease, true);
          endpoint.release();
          fail(new AttemptFailure(Outcome.cancelled(), "deadline passed before the attempt", null));
          return;
        }
        this.lease = lease;
        UpstreamConnections.Connection connection = lease.connection();
        connection.http().request(fill(connection.options(), false)).onComplete(this::connected);
      }

      /** The own pool has no connection for this attempt: it could not open one, or its wait queue is full. */
      @Override
      public void refused(Throwable cause) {
        leftQueue();
        notConnected(cause);
      }

      /**
       * Takes the attempt out of its pool's wait queue, if it is still there, and ends it as
       * cancelled: nothing was sent, and its place in the queue goes to the next request.
       */
      void leaveQueue(String why) {
        if (pool.cancel(this)) {
          leftQueue();
          endpoint.release();
          fail(new AttemptFailure(Outcome.cancelled(), why, null));
        }
      }

      /** The attempt is no longer in a pool's queue: its hooks go. */
      private void leftQueue() {
        if (queueHook != null) {
          queueHook.remove();
          queueHook = null;
        }
        if (queued != null) {
          queued[attemptNumber] = null;
        }
      }

      private void connected(AsyncResult<HttpClientRequest> ar) {
        if (ar.succeeded()) {
          send(ar.result());
          return;
        }
        giveBack(false);
        notConnected(ar.cause());
      }

      private void notConnected(Throwable cause) {
        endpoint.release();
        if (cause instanceof ConnectionPoolTooBusyException) {
          // pool.maxPending reached (README "Overload: concurrency limits"): nothing was sent;
          // not a breaker failure and not retried (an other-failure outcome).
          metrics.shed(plan.upstreamName());
          fail(new AttemptFailure(Outcome.otherFailure(), "connection pool wait queue full",
              new GatewayException(GatewayError.OVERLOADED, "upstream " + plan.upstreamName()
                  + " has pool.maxPending requests waiting for a connection", 1, null)));
          return;
        }
        fail(new AttemptFailure(ctx.deadline().isCancelled() || cancelled(attemptNumber) ? Outcome.cancelled()
            : Outcome.connectFailure(),
            "cannot connect to " + endpoint.address() + ": " + cause.getMessage(), cause));
      }

      /** The own pool's connection goes back, to be used again or closed; nothing when the attempt holds none. */
      private void giveBack(boolean reusable) {
        EndpointPool.Lease<UpstreamConnections.Connection> held = lease;
        if (held != null) {
          lease = null;
          pool.release(held, reusable);
        }
      }

      private void send(HttpClientRequest request) {
        // Every failure of this request reaches the attempt through request.response(); without a
        // handler Vert.x would also log each reset (a cancelled attempt) as an ERROR.
        request.exceptionHandler(err -> LOG.debug("upstream request failed: {}", err.toString()));
        Deadline deadline = ctx.deadline();
        // Strictly smaller on each retry (README "How a request flows"), even when a retry follows within the same millisecond.
        long remaining = Math.min(deadline.remainingMillisNow(), lastDeadlineSent - 1);
        if (deadline.isCancelled() || remaining <= 0 || cancelled(attemptNumber)) {
          request.reset();
          giveBack(false);
          endpoint.release();
          fail(new AttemptFailure(Outcome.cancelled(), "deadline passed before the attempt", null));
          return;
        }
        this.request = request;
        cancelHook = deadline.onCancel(this);
        if (requests != null) {
          requests[attemptNumber] = request;
        }
        MultiMap headers = request.headers();
        out.headers().writeTo(headers);
        // Added, not set: the copy of the client's headers skipped these names (Forwarding).
        headers.add(ATTEMPT_NAME, attemptNumber < ATTEMPT_VALUES.length ? ATTEMPT_VALUES[attemptNumber]
            : Integer.toString(attemptNumber));
        headers.add(deadlineHeader, Long.toString(remaining));
        if (span != null) {
          span.writeTo(request.headers()); // traceparent with this attempt's span id, tracestate
        }
        lastDeadlineSent = remaining;
        long perTry = plan.perTryTimeoutMs();
        if (perTry > 0 && perTry < remaining) {
          timer = vertx.setTimer(perTry, id -> {
            timedOut = true;
            request.reset();
          });
        }
        request.response().onComplete(this);
        RequestBody body = out.body();
        Future<Void> sent = body.sendTo(request);
        if (lease != null) {
          leaseReturn = new LeaseReturn();
          sent.onComplete(leaseReturn);
        }
        if (body != RequestBody.NONE) {
          sent.onFailure(err -> {
            if (err instanceof GatewayException) {
              // The client's body failed or was too large: abort this attempt with that error.
              fail(new AttemptFailure(Outcome.otherFailure(), err.getMessage(), err));
              request.reset();
            }
            // Otherwise the upstream side failed while sending; the response future reports it.
          });
        }
      }

      /** The deadline was cancelled: reset the request (its response then fails). */
      @Override
      public void run() {
        request.reset();
      }

      /**
       * The response head, or why there is none: one event (resilience.EventClock), so the
       * attempt's end, the permit's round trip and, when the body came with the head, the
       * request's end are one reading of the clock.
       */
      @Override
      public void handle(AsyncResult<HttpClientResponse> ar) {
        EventClock.open();
        try {
          settle(ar);
        } finally {
          EventClock.close();
        }
      }

      private void settle(AsyncResult<HttpClientResponse> ar) {
        if (timer >= 0) {
          vertx.cancelTimer(timer);
        }
        if (requests != null) {
          requests[attemptNumber] = null;
        }
        if (ar.succeeded() && cancelled(attemptNumber)) {
          // The head of an attempt that already lost: reset it like one still waiting.
          request.reset();
          giveBack(false);
          endpoint.release();
          cancelHook.remove();
          fail(new AttemptFailure(Outcome.cancelled(), "cancelled: another attempt won", null));
          return;
        }
        if (ar.succeeded()) {
          HttpClientResponse response = ar.result();
          if (lease != null) {
            leaseReturn.keepAlive = keepAlive(response);
            response.end().onComplete(leaseReturn);
          }
          response.pause();
          // Replaced by whoever consumes the body (pipe, discard, aggregate reader).
          response.exceptionHandler(err -> LOG.debug("upstream response failed: {}", err.toString()));
          succeed(new UpstreamExchange(request, response, endpoint, cancelHook));
          return;
        }
        giveBack(false);
        endpoint.release();
        cancelHook.remove();
        Outcome outcome = timedOut ? Outcome.perTryTimeout()
            : ctx.deadline().isCancelled() || cancelled(attemptNumber) ? Outcome.cancelled() : Outcome.reset();
        fail(new AttemptFailure(outcome, describe(outcome, ar.cause()), ar.cause()));
      }


      /**
       * Gives the own pool's connection back once both the request is sent and the response has
       * ended, reusable when both went well and the upstream keeps the connection alive; at once,
       * not reusable, when either failed (a reset: Vert.x closes the connection).
       */
      private final class LeaseReturn implements Handler<AsyncResult<Void>> {
        private int waiting = 2;
        private boolean keepAlive;

        @Override
        public void handle(AsyncResult<Void> ar) {
          if (ar.failed()) {
            giveBack(false);
          } else if (--waiting == 0) {
            giveBack(keepAlive);
          }
        }
      }

      private void succeed(UpstreamExchange exchange) {
        if (done) {
          // The client's body already failed this attempt: the late head is not wanted.
          exchange.abort();
          return;
        }
        done = true;
        if (closedBreaker != null) {
          if (plan.failureStatusSet().contains(exchange.response().statusCode())) {
            closedBreaker.recordFailure();
          }
          record(endpoint, span, startNanos, exchange, null);
        }
        promise.complete(exchange);
      }

      private void fail(AttemptFailure failure) {
        if (done) {
          return;
        }
        done = true;
        if (closedBreaker != null) {
          if (failure.isBreakerFailure()) {
            closedBreaker.recordFailure();
          }
          record(endpoint, span, startNanos, null, failure);
        }
        promise.fail(failure);
      }
    }

    private String describe(Outcome outcome, Throwable cause) {
      return switch (outcome.kind()) {
        case PER_TRY_TIMEOUT -> "no response within perTryTimeoutMs";
        case CANCELLED -> "cancelled";
        default -> "connection reset: " + cause.getMessage();
      };
    }
  }
}
