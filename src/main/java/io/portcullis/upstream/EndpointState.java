package io.portcullis.upstream;

import io.portcullis.config.Endpoint;
import io.vertx.core.net.SocketAddress;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Process-wide state of one upstream endpoint, shared by every event loop: requests in
 * flight (for {@code least-requests} and {@code /admin/upstreams}), failures seen, and the
 * active health-check verdict. A discovered endpoint (an address its name resolved to) also
 * carries the socket address requests connect to, while they are addressed to the name.
 */
public final class EndpointState {

  /** Active health-check verdict. {@code UNKNOWN} counts as healthy: traffic decides. */
  public enum Health { UNKNOWN, HEALTHY, UNHEALTHY }

  private final Endpoint address;
  private final SocketAddress server;
  private final String authority;
  private final Integer port;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong failures = new AtomicLong();
  private volatile Health health = Health.UNKNOWN;

  EndpointState(Endpoint address) {
    this.address = address;
    this.server = SocketAddress.inetSocketAddress(address.port(), address.host());
    this.authority = address.authority();
    this.port = address.port();
  }

  /** The endpoint's address. */
  public Endpoint address() {
    return address;
  }

  /**
   * The endpoint as the HTTP client's server address, made once: a request that names it does not
   * parse the host into a new address (a host name is resolved when a connection is opened). For a
   * discovered endpoint it is the resolved address, while requests are still addressed to
   * {@link Endpoint#hostName()}.
   */
  public SocketAddress server() {
    return server;
  }

  /**
   * {@link Endpoint#port()} boxed once: what the HTTP client's request options take, so a
   * request does not box a port above 127 again.
   */
  public Integer port() {
    return port;
  }

  /**
   * {@link Endpoint#authority()} made once ({@code "127.0.0.1:9001"}; a discovered endpoint's
   * resolved address): what the access log names as the endpoint that answered.
   */
  public String authority() {
    return authority;
  }

  /** Requests to this endpoint now in flight. */
  public int inFlight() {
    return inFlight.get();
  }

  /** Marks one more request in flight. */
  public void acquire() {
    inFlight.incrementAndGet();
  }

  /** Marks one request finished. */
  public void release() {
    inFlight.decrementAndGet();
  }

  /** Records one failed attempt (connect failure, reset, per-try timeout or failure status). */
  public void recordFailure() {
    failures.incrementAndGet();
  }

  /** Failed attempts since start. */
  public long failures() {
    return failures.get();
  }

  /** The health-check verdict. */
  public Health health() {
    return health;
  }

  void health(Health health) {
    this.health = health;
  }

  /** False only when an active health check has marked the endpoint unhealthy. */
  public boolean healthy() {
    return health != Health.UNHEALTHY;
  }
}
