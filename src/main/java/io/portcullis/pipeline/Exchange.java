package io.portcullis.pipeline;

import io.portcullis.edge.ClientAddress;
import io.portcullis.http.GatewayException;
import io.portcullis.admission.Permit;
import io.portcullis.aggregate.BranchAdmission;
import io.portcullis.http.RequestContext;
import io.portcullis.proxy.ExchangeObserver;
import io.portcullis.proxy.ProxyOutcome;
import io.portcullis.resilience.Ticker;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * One request on its way through the {@link RequestPath}: the {@link RequestContext} the proxy
 * and aggregate handlers read, plus what the stages hand to each other (the matched route, the
 * body's framing), the refusal a stage made, what stages hold until the request finishes, and
 * where in the path the request is. One object per request, confined to its event loop.
 */
public final class Exchange extends RequestContext implements ExchangeObserver, ProxyOutcome, Handler<Void> {

  private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);
  private static final Releasable[] NO_HOLDS = new Releasable[0];

  private final RequestPath path;
  private int next;
  private Throwable refusal;
  private RouteTarget target;
  private Map<String, String> params = Map.of();
  private Set<String> methods = Set.of();
  private long contentLength = -1;
  private boolean chunked;
  private Releasable hold;
  private Releasable[] moreHolds = NO_HOLDS;
  private int moreHoldCount;
  private String clientAddress;
  private boolean clientAddressKnown;
  private Permit permit;
  private Ticker permitTicker;
  private long admittedNanos;
  private int upstreamHeadStatus;
  private long upstreamHeadNanos;
  private boolean upstreamDropped;
  private BranchAdmission branchAdmission = BranchAdmission.ALL;

  /**
   * An exchange for {@code request} on {@code path}.
   *
   * @param rawPath the path as received (the hygiene stage replaces it with its normalized form)
   */
  Exchange(RequestPath path, HttpServerRequest request, String requestId, String rawPath, long startNanos) {
    super(request, requestId, rawPath, startNanos);
    this.path = path;
  }

  /**
   * Records why the request is refused; the stage returns what this returns
   * ({@link Stage.Verdict#REFUSED}).
   */
  public Stage.Verdict refuse(GatewayException error) {
    this.refusal = error;
    return Stage.Verdict.REFUSED;
  }

  /** After a {@link Stage.Verdict#SUSPENDED} decision: goes on with the next stage. */
  public void resume() {
    path.proceed(this);
  }

  /**
   * Ends the request with {@code failure} in the request path's one failure path: a
   * {@link GatewayException} is answered as it is, anything else as 500 (and logged).
   */
  public void fail(Throwable failure) {
    path.fail(this, failure);
  }

  /**
   * Holds {@code releasable} until the request finishes; it is released exactly once, after
   * the response ended or the client left, in the reverse order of holding.
   */
  public void hold(Releasable releasable) {
    if (hold == null) {
      hold = releasable;
      return;
    }
    if (moreHoldCount == moreHolds.length) {
      moreHolds = Arrays.copyOf(moreHolds, Math.max(2, moreHoldCount * 2));
    }
    moreHolds[moreHoldCount++] = releasable;
  }

  /**
   * HTTP/1.x: answers with {@code Connection: close} and closes the connection once the response
   * is on the wire; HTTP/2: nothing unless draining (then {@code GOAWAY}).
   */
  public void closeAfterResponse() {
    path.closeAfterResponse(request());
  }

  /** While the gateway shuts down, the response about to start closes its connection. */
  @Override
  public void beforeResponseHead() {
    path.beforeResponseHead(request());
  }

  /**
   * The client response's end and close handler (set by the request path, one object for both):
   * finishes the request, and, when the connection closed before the response ended, cancels its
   * deadline as the client is gone.
   */
  @Override
  public void handle(Void ignored) {
    path.responseEndedOrClosed(this);
  }

  /** Finishes the request now (a WebSocket tunnel closed): holds released, listener told. */
  void finishNow() {
    path.finish(this);
  }

  /** Sets the path to its normalized form (the hygiene stage). */
  void normalizedPath(String normalized) {
    path(normalized);
  }

  /**
   * The client's address (README "Running behind a load balancer"): the peer (the PROXY header's
   * source with {@code server.proxyProtocol}), walked back through {@code X-Forwarded-For} over
   * {@code server.trustedProxies}. Worked out on first use, once; null without an IP peer.
   */
  public String clientAddress() {
    if (!clientAddressKnown) {
      clientAddress = ClientAddress.of(request(), path.trustedProxies());
      clientAddressKnown = true;
    }
    return clientAddress;
  }

  /** The matched route's target; null before the route stage. */
  public RouteTarget target() {
    return target;
  }

  /** The path parameters of the matched route (empty when it has none). */
  public Map<String, String> params() {
    return params;
  }

  /** The methods the matched route accepts (empty: any method, or no route matched yet). */
  public Set<String> methods() {
    return methods;
  }

  /** Records the matched route (the route stage), accepting any method. */
  public void matched(String routeName, RouteTarget target, Map<String, String> params) {
    matched(routeName, target, params, Set.of());
  }

  /**
   * Records the matched route (the route stage) and the methods it accepts (empty: any), and the
   * upstream (or an aggregate's upstreams) it goes to, known from here on for errors and the log.
   */
  public void matched(String routeName, RouteTarget target, Map<String, String> params, Set<String> methods) {
    route(routeName);
    upstream(target == null ? null : target.upstreamNames());
    this.target = target;
    this.params = params == null ? Map.of() : params;
    this.methods = methods;
  }

  /** The request's {@code Content-Length}, or -1 without a usable one (set by the body stage). */
  public long contentLength() {
    return contentLength;
  }

  /** Whether the body is chunked (set by the body stage). */
  public boolean chunked() {
    return chunked;
  }

  /** Records the body's framing (the body stage). */
  public void framing(long contentLength, boolean chunked) {
    this.contentLength = contentLength;
    this.chunked = chunked;
  }

  /**
   * Records the concurrency permit of a proxy request ({@link ConcurrencyStage}), admitted now by
   * {@code ticker}'s reading.
   */
  void admitted(Permit admitted, Ticker ticker) {
    this.permit = admitted;
    this.permitTicker = ticker;
    this.admittedNanos = ticker.nanos();
  }

  /** The permit held, cleared (so it is completed once); null when none. */
  Permit takePermit() {
    Permit p = permit;
    permit = null;
    return p;
  }

  /** When the permit was admitted (ticker nanos). */
  long admittedNanos() {
    return admittedNanos;
  }

  /** The status of the upstream response head forwarded, 0 before one arrived. */
  int upstreamHeadStatus() {
    return upstreamHeadStatus;
  }

  /** When that head arrived (ticker nanos). */
  long upstreamHeadNanos() {
    return upstreamHeadNanos;
  }

  /** Whether the upstream did not answer (a reset or a per-try timeout ended the last attempt). */
  boolean upstreamDropped() {
    return upstreamDropped;
  }

  /**
   * What the proxy tells of the upstream exchange: this exchange itself when it holds a permit,
   * else {@link ExchangeObserver#NONE}.
   */
  public ExchangeObserver exchangeObserver() {
    return permit != null ? this : ExchangeObserver.NONE;
  }

  @Override
  public void headReceived(int status) {
    if (permit != null) {
      upstreamHeadStatus = status;
      upstreamHeadNanos = permitTicker.nanos();
    }
  }

  @Override
  public void dropped() {
    upstreamDropped = true;
  }

  /** The branch permits of an aggregate request ({@link BranchAdmission#ALL} when none applies). */
  public BranchAdmission branchAdmission() {
    return branchAdmission;
  }

  /** Records the branch permits of an aggregate request ({@link ConcurrencyStage}). */
  void branchAdmission(BranchAdmission admission) {
    this.branchAdmission = admission;
  }

  /** The next stage's index, then moves on. */
  int advance() {
    return next++;
  }

  /** The refusal recorded by {@link #refuse}, cleared. */
  Throwable takeRefusal() {
    Throwable r = refusal;
    refusal = null;
    return r;
  }

  /** Releases every hold, newest first; each once. */
  void releaseHolds() {
    for (int i = moreHoldCount - 1; i >= 0; i--) {
      Releasable r = moreHolds[i];
      moreHolds[i] = null;
      release(r);
    }
    moreHoldCount = 0;
    Releasable first = hold;
    hold = null;
    if (first != null) {
      release(first);
    }
  }

  private void release(Releasable releasable) {
    try {
      releasable.release(this);
    } catch (RuntimeException e) {
      LOG.error("releasing {} of request {} failed", releasable, requestId(), e);
    }
  }
}
