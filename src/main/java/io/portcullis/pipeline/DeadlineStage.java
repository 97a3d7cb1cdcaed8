package io.portcullis.pipeline;

import io.portcullis.http.GatewayError;
import io.portcullis.http.GatewayException;
import io.portcullis.resilience.Deadline;
import io.portcullis.resilience.DeadlineBudget;
import io.portcullis.resilience.GrpcTimeout;
import io.portcullis.resilience.Scheduler;
import io.portcullis.resilience.Ticker;
import io.portcullis.resilience.TimerWheel;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * Gives the request its {@link Deadline} (README "How a request flows"): the budget is the least
 * of the route's timeout, the client's deadline header, a {@code grpc-timeout} and
 * {@code deadline.maxMs}. A deadline header that is not a positive integer of milliseconds is 400
 * {@code bad_request}. When the budget runs out before the response head is written the client
 * gets 504 {@code deadline_exceeded} at once and every upstream attempt is reset; after the head,
 * the response is reset.
 *
 * <p>The 504 timers of this stage's requests share one {@link TimerWheel} (one per configuration
 * snapshot and event loop, as the stage), so a request that finishes in time costs no timer.
 */
public final class DeadlineStage implements Stage {

  private static final Logger LOG = LoggerFactory.getLogger(DeadlineStage.class);
  private static final CharSequence GRPC_TIMEOUT = HttpHeaders.createOptimized("grpc-timeout");
  /** Where a long deadline header's value stops growing: {@code Long.MAX_VALUE / 10}, no overflow. */
  private static final long SATURATED_MS = Long.MAX_VALUE / 10;

  private final String header;
  private final CharSequence headerName;
  private final long maxMs;
  private final Ticker ticker;
  private final TimerWheel timers;

  /**
   * @param header the client's deadline header ({@code deadline.header})
   * @param maxMs the longest budget ({@code deadline.maxMs})
   * @param ticker the clock of the deadline
   * @param scheduler the timers of this event loop, which answer 504 when a budget runs out
   */
  public DeadlineStage(String header, long maxMs, Ticker ticker, Scheduler scheduler) {
    this.header = header;
    // Looked up in lower case: HTTP/1.x lookups ignore case, HTTP/2 names are lower case.
    this.headerName = HttpHeaders.createOptimized(header.toLowerCase(java.util.Locale.ROOT));
    this.maxMs = maxMs;
    this.ticker = ticker;
    this.timers = new TimerWheel(ticker, scheduler);
  }

  @Override
  public Verdict apply(Exchange exchange) {
    HttpServerRequest request = exchange.request();
    String clientValue = request.getHeader(headerName);
    OptionalLong client = OptionalLong.empty();
    if (clientValue != null) {
      long ms = positiveMillis(clientValue);
      if (ms <= 0) {
        return exchange.refuse(new GatewayException(GatewayError.BAD_REQUEST,
            header + " must be a positive integer of milliseconds"));
      }
      client = OptionalLong.of(ms);
    }
    String grpc = request.getHeader(GRPC_TIMEOUT);
    OptionalLong grpcMs = grpc == null ? OptionalLong.empty() : GrpcTimeout.parseMillis(grpc.trim());
    long budget = DeadlineBudget.budgetMs(exchange.target().timeoutMs(), client, grpcMs, maxMs);
    Expiry expiry = new Expiry(exchange);
    Deadline deadline = Deadline.after(budget, ticker, expiry);
    exchange.deadline(deadline);
    timers.schedule(expiry, Math.max(1, budget));
    exchange.deadlineTimer(expiry);
    return Verdict.CONTINUE;
  }

  /** The 504 timer of one request, and where its deadline reports a failing cancel callback. */
  private static final class Expiry extends TimerWheel.Timeout implements Consumer<Throwable> {
    private final Exchange exchange;

    Expiry(Exchange exchange) {
      this.exchange = exchange;
    }

    @Override
    protected void expire() {
      DeadlineStage.expire(exchange);
    }

    @Override
    public void accept(Throwable err) {
      LOG.error("deadline cancel callback failed for request {}", exchange.requestId(), err);
    }
  }

  /**
   * The value as milliseconds, or 0 when it is not a positive integer. Any number of digits: a
   * value past {@link #SATURATED_MS} reads as that (far above any {@code deadline.maxMs}, which
   * caps the budget anyway).
   */
  private static long positiveMillis(String value) {
    String v = value.trim();
    if (v.isEmpty()) {
      return 0;
    }
    long ms = 0;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < '0' || c > '9') {
        return 0;
      }
      ms = ms >= SATURATED_MS ? SATURATED_MS : ms * 10 + (c - '0');
    }
    return ms;
  }

  /** The budget ran out. */
  static void expire(Exchange exchange) {
    exchange.deadlineTimer(null);
    if (exchange.finished()) {
      return;
    }
    HttpServerResponse response = exchange.request().response();
    Deadline deadline = exchange.deadline();
    if (!response.headWritten() && !response.ended()) {
      // Answer 504 first: an upstream head may have been copied but not written yet; drop it.
      response.headers().clear();
      response.headers().set("X-Request-Id", exchange.requestId());
      // The exchange was cut mid-way (possibly mid-upload): start the client afresh.
      exchange.closeAfterResponse();
      exchange.fail(new GatewayException(GatewayError.DEADLINE_EXCEEDED,
          "no upstream answered within " + deadline.budgetMs() + " ms"));
      deadline.cancel(Deadline.CancelReason.DEADLINE_EXCEEDED);
    } else {
      deadline.cancel(Deadline.CancelReason.DEADLINE_EXCEEDED);
      if (!response.ended()) {
        response.reset();
      }
    }
  }
}
