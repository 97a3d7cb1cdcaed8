package io.portcullis.http;

import io.portcullis.resilience.Deadline;
import io.portcullis.resilience.Scheduler;
import io.portcullis.trace.RequestTrace;
import io.vertx.core.http.HttpServerRequest;

/**
 * Everything one client request carries through the gateway: its id, the deadline (budget and
 * cancellation, read by every later stage), the route and upstream it went to, how many
 * upstream attempts it took, and who answered (the endpoint whose response is forwarded, or the
 * gateway's own error). Confined to the request's event loop. The request path extends it
 * with what its stages pass on to each other ({@code io.portcullis.pipeline.Exchange}), so one
 * object per request carries both.
 */
public class RequestContext {

  private final HttpServerRequest request;
  private final String requestId;
  private String path;
  private final long startNanos;
  private Deadline deadline;
  private String route;
  private String upstream;
  private String endpoint;
  private GatewayError error;
  private int attempts;
  private Scheduler.Cancellable deadlineTimer;
  private boolean finished;
  private RequestTrace trace;

  /**
   * A context for {@code request}.
   *
   * @param path the normalized request path (what is routed on and forwarded)
   */
  public RequestContext(HttpServerRequest request, String requestId, String path, long startNanos) {
    this.request = request;
    this.requestId = requestId;
    this.path = path;
    this.startNanos = startNanos;
  }

  /**
   * Called just before the gateway writes this request's response head, its own answer or an
   * upstream's. The request path makes it close the connection after the response while the
   * gateway shuts down (README "Signals and shutdown"); here it does nothing.
   */
  public void beforeResponseHead() {
  }

  /** The client's request. */
  public HttpServerRequest request() {
    return request;
  }

  /** The request id sent upstream and returned to the client. */
  public String requestId() {
    return requestId;
  }

  /** The normalized path (the path as received until the request's hygiene has checked it). */
  public String path() {
    return path;
  }

  /** Replaces the path with its normalized form (once the request's hygiene has checked it). */
  protected void path(String normalized) {
    this.path = normalized;
  }

  /** When the gateway received the request (ticker nanos). */
  public long startNanos() {
    return startNanos;
  }

  /** The request's deadline; {@code null} until a route has matched. */
  public Deadline deadline() {
    return deadline;
  }

  /** Sets the deadline once the route's budget is known. */
  public void deadline(Deadline deadline) {
    this.deadline = deadline;
  }

  /** The matched route's name, or {@code null}. */
  public String route() {
    return route;
  }

  /** Records the matched route. */
  public void route(String route) {
    this.route = route;
  }

  /** The upstream (or comma-separated upstreams of an aggregate), or {@code null}. */
  public String upstream() {
    return upstream;
  }

  /** Records the upstream. */
  public void upstream(String upstream) {
    this.upstream = upstream;
  }

  /**
   * The endpoint ({@code host:port}) whose response is being forwarded to the client, or
   * {@code null}: none yet, an aggregate, or an answer the gateway made itself.
   */
  public String endpoint() {
    return endpoint;
  }

  /** Records the endpoint whose response is forwarded (the one that answered, when it is streamed). */
  public void endpoint(String endpoint) {
    this.endpoint = endpoint;
  }

  /** The error the gateway answered with itself, or {@code null} when it did not make the answer. */
  public GatewayError error() {
    return error;
  }

  /**
   * Records that the gateway answers with its own {@code error}: no endpoint's answer is
   * forwarded, whatever was picked before.
   */
  public void answeredWith(GatewayError error) {
    this.error = error;
    this.endpoint = null;
  }

  /** Upstream attempts made for this request so far. */
  public int attempts() {
    return attempts;
  }

  /** Counts one more upstream attempt. */
  public void countAttempt() {
    attempts++;
  }

  /** Takes back the last {@link #countAttempt()}: that attempt was shed before anything was sent. */
  public void uncountAttempt() {
    if (attempts > 0) {
      attempts--;
    }
  }

  /** Records the deadline timer so it is cancelled when the request finishes (or is upgraded). */
  public void deadlineTimer(Scheduler.Cancellable timer) {
    this.deadlineTimer = timer;
  }

  /** Cancels the deadline timer, if one is armed and has not fired. */
  public void cancelDeadlineTimer() {
    Scheduler.Cancellable timer = deadlineTimer;
    if (timer != null) {
      deadlineTimer = null;
      timer.cancel();
    }
  }

  /** Marks the request finished; true only the first time (logs and counters run once). */
  public boolean finish() {
    if (finished) {
      return false;
    }
    finished = true;
    return true;
  }

  /** The request's trace, {@code null} when tracing is off. */
  public RequestTrace trace() {
    return trace;
  }

  /** Records the request's trace. */
  public void trace(RequestTrace trace) {
    this.trace = trace;
  }

  /** Whether the request has finished. */
  public boolean finished() {
    return finished;
  }
}
