package io.portcullis.testkit;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP backend on a random loopback port whose behaviour each test programs. It
 * records every request head it receives (method, URI, headers) and counts connections.
 */
public final class FakeBackend implements AutoCloseable {

  /** A request head as the backend saw it. */
  public record Seen(String method, String uri, MultiMap headers) {
    /** A header value. */
    public String header(String name) {
      return headers.get(name);
    }
  }

  private final Vertx vertx;
  private final HttpServer server;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();
  private volatile Handler<HttpServerRequest> handler;

  private FakeBackend(Vertx vertx, HttpServerOptions options, Handler<HttpServerRequest> handler) {
    this.vertx = vertx;
    this.handler = handler;
    this.server = vertx.createHttpServer(options)
        .connectionHandler(c -> connections.incrementAndGet())
        .requestHandler(req -> {
          MultiMap copy = MultiMap.caseInsensitiveMultiMap().addAll(req.headers());
          seen.add(new Seen(req.method().name(), req.uri(), copy));
          this.handler.handle(req);
        });
  }

  /** Starts a backend on its own Vert.x instance. */
  public static FakeBackend start(Handler<HttpServerRequest> handler) {
    return start(new HttpServerOptions(), handler);
  }

  /** Starts a backend with server {@code options} (for example HTTPS) on its own Vert.x instance. */
  public static FakeBackend start(HttpServerOptions options, Handler<HttpServerRequest> handler) {
    Vertx vertx = Vertx.vertx();
    FakeBackend backend = new FakeBackend(vertx, options, handler);
    Await.result(backend.server.listen(0, "127.0.0.1"));
    return backend;
  }

  /**
   * Starts a backend on {@code host} (a loopback address such as {@code 127.0.0.2}: Linux answers
   * for the whole of {@code 127.0.0.0/8}) and {@code port} (0 for a free one), on its own Vert.x
   * instance; fails the test if that port is taken there.
   */
  public static FakeBackend startOn(String host, int port, Handler<HttpServerRequest> handler) {
    return startOn(new HttpServerOptions(), host, port, handler);
  }

  /** As {@link #startOn(String, int, Handler)}, with server {@code options} (for example HTTPS). */
  public static FakeBackend startOn(HttpServerOptions options, String host, int port,
                                    Handler<HttpServerRequest> handler) {
    Vertx vertx = Vertx.vertx();
    FakeBackend backend = new FakeBackend(vertx, options, handler);
    try {
      Await.result(backend.server.listen(port, host));
    } catch (RuntimeException | AssertionError e) {
      Await.result(vertx.close());
      throw e;
    }
    return backend;
  }

  /**
   * Backends on each of {@code hosts} (loopback addresses), all on one port, as the addresses of
   * one DNS name are: the first picks a free port, the others take the same one (tried again on
   * a new port if one of them finds it taken).
   */
  public static java.util.List<FakeBackend> onOnePort(java.util.List<String> hosts,
                                                      java.util.function.Function<String, Handler<HttpServerRequest>> handlers) {
    return onOnePort(new HttpServerOptions(), hosts, handlers);
  }

  /** As {@link #onOnePort(java.util.List, java.util.function.Function)}, with server {@code options}. */
  public static java.util.List<FakeBackend> onOnePort(HttpServerOptions options, java.util.List<String> hosts,
                                                      java.util.function.Function<String, Handler<HttpServerRequest>> handlers) {
    for (int attempt = 0; ; attempt++) {
      java.util.List<FakeBackend> started = new java.util.ArrayList<>();
      try {
        int port = 0;
        for (String host : hosts) {
          FakeBackend backend = startOn(options, host, port, handlers.apply(host));
          started.add(backend);
          port = backend.port();
        }
        return started;
      } catch (RuntimeException | AssertionError e) {
        started.forEach(FakeBackend::close);
        if (attempt == 4) {
          throw e;
        }
      }
    }
  }

  /** A backend that answers 200 with {@code body}. */
  public static FakeBackend ok(String body) {
    return start(req -> req.response().putHeader("Content-Type", "text/plain").end(body));
  }

  /** Replaces the behaviour. */
  public void handler(Handler<HttpServerRequest> handler) {
    this.handler = handler;
  }

  /** The port. */
  public int port() {
    return server.actualPort();
  }

  /** The backend's Vert.x (for timers in handlers). */
  public Vertx vertx() {
    return vertx;
  }

  /** Every request head received so far. */
  public List<Seen> seen() {
    return seen;
  }

  /** Requests received so far. */
  public int requests() {
    return seen.size();
  }

  /** TCP connections accepted so far. */
  public int connections() {
    return connections.get();
  }

  @Override
  public void close() {
    Await.result(vertx.close());
  }
}
