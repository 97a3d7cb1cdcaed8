package io.portcullis.pipeline;

import io.portcullis.admission.ConcurrencyLimiter;
import io.portcullis.admission.Permit;
import io.portcullis.aggregate.AggregateRoute;
import io.portcullis.http.GatewayError;
import io.portcullis.http.GatewayException;
import io.portcullis.proxy.ProxyRoute;
import io.portcullis.proxy.WebSocketUpgrade;
import io.portcullis.resilience.Deadline;
import io.portcullis.resilience.Ticker;

import java.util.List;

/**
 * Admission by the upstream's concurrency limit (README "Overload: concurrency limits"): the one
 * place a request takes its {@link Permit} from {@link io.portcullis.upstream.Upstream#limiter()}
 * and the one place the permit is completed. It runs after the rate limit, before anything is sent.
 *
 * <ul>
 *   <li>A proxy request takes one permit of its upstream for the whole request (its retries and
 *       hedges included). A full limit refuses it at once: 503 {@code overloaded} with
 *       {@code Retry-After: 1}, through the request path's one failure path; nothing is sent, no
 *       breaker sees it, nothing retries it. WebSocket handshakes are not limited (a tunnel is not
 *       a request in flight).</li>
 *   <li>An aggregate request takes one permit per branch, all decided before any branch is sent
 *       ({@link BranchPermits}): a shed required branch refuses the whole request (the permits
 *       already taken are returned), a shed optional branch is omitted and reported as
 *       {@code as=overloaded}.</li>
 *   <li>The permit is held on the {@link Exchange} and completed exactly once when the request
 *       finishes, whichever way (response ended, reset, client gone, deadline, error): a forwarded
 *       response head below 500 is a latency sample (admission to response head), a deadline, a
 *       reset or a per-try timeout before any head is a drop, anything else (a 5xx, the client
 *       gone, a connect failure, nothing sent) only returns the slot.</li>
 * </ul>
 *
 * <p>Mode {@code off} costs one field read and one compare: no atomic operation, no allocation.
 */
public final class ConcurrencyStage implements Stage, Releasable {

  /** Told of every request shed ({@code portcullis_shed_total{upstream}}). */
  @FunctionalInterface
  public interface ShedListener {
    /** A request to {@code upstream} was shed. */
    void shed(String upstream);
  }

  private final Ticker ticker;
  private final ShedListener shedListener;

  /**
   * A stage timing its permits with {@code ticker}.
   *
   * @param shedListener told of every shed request
   */
  public ConcurrencyStage(Ticker ticker, ShedListener shedListener) {
    this.ticker = ticker;
    this.shedListener = shedListener;
  }

  @Override
  public Verdict apply(Exchange exchange) {
    RouteTarget target = exchange.target();
    if (target instanceof RouteTarget.Proxy p) {
      return admitProxy(exchange, p.route());
    }
    return admitBranches(exchange, ((RouteTarget.Aggregate) target).route());
  }

  private Verdict admitProxy(Exchange exchange, ProxyRoute route) {
    ConcurrencyLimiter limiter = route.plan().upstream().limiter();
    if (limiter.mode() == ConcurrencyLimiter.Mode.OFF
        || (route.websocket() && WebSocketUpgrade.isRequested(exchange.request()))) {
      return Verdict.CONTINUE;
    }
    Permit permit = limiter.tryAcquire();
    if (!permit.admitted()) {
      String upstream = route.plan().upstreamName();
      shedListener.shed(upstream);
      exchange.upstream(upstream);
      return exchange.refuse(overloaded(upstream));
    }
    exchange.admitted(permit, ticker);
    exchange.hold(this);
    return Verdict.CONTINUE;
  }

  private Verdict admitBranches(Exchange exchange, AggregateRoute route) {
    List<AggregateRoute.Backend> backends = route.backends();
    BranchPermits permits = null;
    for (int i = 0; i < backends.size(); i++) {
      AggregateRoute.Backend backend = backends.get(i);
      ConcurrencyLimiter limiter = backend.plan().upstream().limiter();
      if (limiter.mode() == ConcurrencyLimiter.Mode.OFF) {
        continue;
      }
      if (permits == null) {
        permits = new BranchPermits(exchange, backends.size(), ticker);
      }
      Permit permit = limiter.tryAcquire();
      if (permit.admitted()) {
        permits.admit(i, permit);
        continue;
      }
      String upstream = backend.plan().upstreamName();
      shedListener.shed(upstream);
      if (backend.required()) {
        permits.release(exchange); // nothing is sent for any branch
        exchange.upstream(upstream);
        return exchange.refuse(overloaded(upstream));
      }
      permits.shed(i);
    }
    if (permits != null) {
      exchange.branchAdmission(permits);
      exchange.hold(permits);
    }
    return Verdict.CONTINUE;
  }

  /** Completes the proxy request's permit from what its exchange saw. */
  @Override
  public void release(Exchange exchange) {
    Permit permit = exchange.takePermit();
    if (permit == null) {
      return;
    }
    int status = exchange.upstreamHeadStatus();
    if (status > 0) {
      if (status < 500) {
        permit.onSuccess(exchange.admittedNanos(), exchange.upstreamHeadNanos());
      } else {
        permit.onIgnore();
      }
    } else if (exchange.upstreamDropped() || deadlinePassed(exchange)) {
      permit.onDropped(ticker.nanos());
    } else {
      permit.onIgnore();
    }
  }

  /** Whether the request's own deadline ended it (not a client gone or an abort). */
  static boolean deadlinePassed(Exchange exchange) {
    Deadline deadline = exchange.deadline();
    return deadline != null && deadline.cancelReason() == Deadline.CancelReason.DEADLINE_EXCEEDED;
  }

  /** The answer to a request shed by {@code upstream}'s limit. */
  static GatewayException overloaded(String upstream) {
    return new GatewayException(GatewayError.OVERLOADED, "upstream " + upstream + " is at its concurrency limit",
        1, null);
  }

  @Override
  public String toString() {
    return "ConcurrencyStage";
  }
}
