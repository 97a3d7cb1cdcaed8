package io.portcullis.upstream.pool;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;

/**
 * An upstream's client on one event loop: Vert.x's {@link HttpClient} with its own pool, for
 * {@code https://} endpoints and upgrades (WebSocket), and the gateway's own keep-alive pools for
 * every other request ({@link UpstreamConnections}; null when this Vert.x does not allow them).
 * Kept across a reload while the upstream's connection settings are unchanged, closed as one.
 */
public final class UpstreamClient {

  private final HttpClient http;
  private final UpstreamConnections connections;

  /** A client over {@code http}, with {@code connections} (or null: everything on {@code http}'s pool). */
  public UpstreamClient(HttpClient http, UpstreamConnections connections) {
    this.http = http;
    this.connections = connections;
  }

  /** Vert.x's client: TLS, upgrades, and every request when {@link #connections()} is null. */
  public HttpClient http() {
    return http;
  }

  /** The gateway's own plain-HTTP pools, or null. */
  public UpstreamConnections connections() {
    return connections;
  }

  /** Closes the pools and the client (every connection either opened). */
  public Future<Void> close() {
    if (connections != null) {
      connections.close();
    }
    return http.close();
  }
}
