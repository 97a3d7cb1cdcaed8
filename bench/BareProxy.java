import io.netty.util.AsciiString;
import io.portcullis.transport.LoopFlushes;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.net.URI;
import java.util.ArrayDeque;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The yardstick of the benchmarks: the least a reverse proxy on Vert.x 5 does, so that
 * Portcullis's cost can be read as a ratio to what its stack costs by itself (see
 * {@code bench/README.md}, "The bare Vert.x proxy").
 *
 * <p>One verticle per event loop: {@code HttpServer} → a pooled keep-alive {@code HttpClient}
 * (512 connections per event loop, as Portcullis's upstream pool), request and response headers
 * copied minus {@code Connection}, bodies piped both ways with back-pressure. Nothing else: no
 * routing, no deadline, no retry, no breaker, no metrics, no tracing, no request id, no timers.
 * Transport settings are Portcullis's (epoll when available, {@code TCP_NODELAY}, strict thread
 * mode on the listener, no compression, no WebSocket extensions offered, which keeps Vert.x's
 * WebSocket extension handler out of the pipeline), so the difference between the two is their
 * own work.
 *
 * <p>Usage: {@code java [JVM flags] -cp target/portcullis.jar:CLASSES BareProxy PORT [BACKEND_URL]}
 * where {@code BACKEND_URL} ({@code http://host:port}, default {@code $BACKEND_URL}) is the one
 * upstream. Binds 127.0.0.1 unless {@code -Dbare.host} says otherwise; one event loop per
 * available CPU unless {@code -Dbare.instances=N}. Built against the shaded gateway jar, which
 * carries Vert.x, Netty and the logging set-up.
 *
 * <p>{@code -Dbare.contractHeaders=true} adds the headers the gateway's contract puts on every
 * proxied exchange, with values made the way the gateway makes them but nothing else of its work:
 * upstream {@code X-Request-Id} (the client's, or a new random UUID), {@code X-Forwarded-For}
 * (the peer's address), {@code X-Forwarded-Proto}, {@code X-Forwarded-Host}, {@code Via},
 * {@code X-Attempt-Count}, {@code X-Request-Timeout-Ms} and a new {@code traceparent}; on the
 * response {@code X-Request-Id} and {@code Via}. The difference between the two modes is what
 * those headers cost in Vert.x's client and server, the floor under Portcullis's own cost.
 *
 * <p>{@code -Dbare.loopFlushes=true} puts the gateway's {@code transport.LoopFlushes} on the
 * proxy's client and upstream connections: their flushes wait for the end of the event loop's
 * pass. The difference between the two modes is what batching the flushes saves the stack by
 * itself; the yardstick of the targets is the proxy without it.
 *
 * <p>{@code -Dbare.ownPool=true} replaces {@code HttpClient}'s connection pool with a list of idle
 * connections of the verticle's own (512 at most, as the pool; requests past that wait in a queue):
 * each request takes the connection used last ({@code HttpClientAgent.connect}, then {@code
 * HttpClientConnection.request}) and gives it back when the response has been relayed. The
 * difference between the two modes is what Vert.x's pool costs a request (on every acquisition it
 * builds a context and looks through all its connections).
 */
public final class BareProxy extends VerticleBase {

  private static final boolean CONTRACT_HEADERS = Boolean.getBoolean("bare.contractHeaders");
  private static final boolean LOOP_FLUSHES = Boolean.getBoolean("bare.loopFlushes");
  private static final boolean OWN_POOL = Boolean.getBoolean("bare.ownPool");
  private static final int POOL_SIZE = 512;
  private static final AsciiString REQUEST_ID = AsciiString.cached("X-Request-Id");
  private static final AsciiString FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");
  private static final AsciiString FORWARDED_PROTO = AsciiString.cached("X-Forwarded-Proto");
  private static final AsciiString FORWARDED_HOST = AsciiString.cached("X-Forwarded-Host");
  private static final AsciiString VIA = AsciiString.cached("Via");
  private static final AsciiString ATTEMPT_COUNT = AsciiString.cached("X-Attempt-Count");
  private static final AsciiString TIMEOUT_MS = AsciiString.cached("X-Request-Timeout-Ms");
  private static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");
  private static final AsciiString VIA_VALUE = AsciiString.cached("1.1 portcullis");
  private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final long DEADLINE_MS = 15_000;

  private final String host;
  private final int port;
  private final String backendHost;
  private final int backendPort;
  private HttpClientAgent client;
  /** {@code bare.ownPool}: the idle connections, the one used last at the tail. */
  private final ArrayDeque<HttpClientConnection> idle = new ArrayDeque<>();
  /** {@code bare.ownPool}: requests waiting for a connection, all {@link #POOL_SIZE} being busy. */
  private final ArrayDeque<Promise<HttpClientConnection>> waiters = new ArrayDeque<>();
  /** {@code bare.ownPool}: connections open or being opened. */
  private int open;
  private HttpConnectOptions connectOptions;

  BareProxy(String host, int port, String backendHost, int backendPort) {
    this.host = host;
    this.port = port;
    this.backendHost = backendHost;
    this.backendPort = backendPort;
  }

  public static void main(String[] args) {
    if (args.length < 1 || args.length > 2 || !args[0].matches("\\d{1,5}")) {
      throw new IllegalArgumentException("usage: BareProxy PORT [BACKEND_URL]  (BACKEND_URL defaults to $BACKEND_URL)");
    }
    String backend = args.length == 2 ? args[1] : System.getenv("BACKEND_URL");
    if (backend == null) {
      throw new IllegalArgumentException("no backend: pass BACKEND_URL (http://host:port) or set $BACKEND_URL");
    }
    URI uri = URI.create(backend);
    if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("BACKEND_URL must be http://host[:port], got " + backend);
    }
    // As Portcullis's Main: Netty's JFR events off unless asked for (a start-up cost only).
    if (System.getProperty("io.netty.jfr.enabled") == null) {
      System.setProperty("io.netty.jfr.enabled", "false");
    }
    int instances = Integer.getInteger("bare.instances", Runtime.getRuntime().availableProcessors());
    String host = System.getProperty("bare.host", "127.0.0.1");
    int port = Integer.parseInt(args[0]);
    int backendPort = uri.getPort() < 0 ? 80 : uri.getPort();
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(instances));
    vertx.deployVerticle(() -> new BareProxy(host, port, uri.getHost(), backendPort),
            new DeploymentOptions().setInstances(instances))
        .onSuccess(id -> org.slf4j.LoggerFactory.getLogger(BareProxy.class).info(
            "bare proxy ready on {}:{} -> {} with {} event loop(s), transport {}", host, port, backend, instances,
            vertx.isNativeTransportEnabled() ? "epoll" : "nio"))
        .onFailure(err -> {
          org.slf4j.LoggerFactory.getLogger(BareProxy.class).error("bare proxy did not start", err);
          vertx.close().onComplete(v -> Runtime.getRuntime().halt(1));
        });
  }

  @Override
  public Future<?> start() {
    connectOptions = new HttpConnectOptions().setHost(backendHost).setPort(backendPort);
    client = vertx.httpClientBuilder()
        .with(new HttpClientOptions()
            .setProtocolVersion(HttpVersion.HTTP_1_1)
            .setKeepAlive(true)
            .setKeepAliveTimeout(60)
            .setPipelining(false)
            .setTcpNoDelay(true)
            .setDecompressionSupported(false))
        .with(new PoolOptions().setHttp1MaxSize(512).setMaxWaitQueueSize(-1))
        .withConnectHandler(LOOP_FLUSHES ? LoopFlushes::install : connection -> { })
        .build();
    return vertx.createHttpServer(new HttpServerOptions()
            .setTcpNoDelay(true)
            .setCompressionSupported(false)
            .setDecompressionSupported(false)
            .setStrictThreadMode(true)
            .setPerFrameWebSocketCompressionSupported(false)
            .setPerMessageWebSocketCompressionSupported(false))
        .connectionHandler(LOOP_FLUSHES ? LoopFlushes::install : connection -> { })
        .requestHandler(this::handle)
        .listen(port, host);
  }

  private void handle(HttpServerRequest request) {
    long started = CONTRACT_HEADERS ? System.nanoTime() : 0;
    request.pause();
    HttpServerResponse response = request.response();
    RequestOptions options = new RequestOptions().setMethod(request.method()).setHost(backendHost)
        .setPort(backendPort).setURI(request.uri());
    if (!OWN_POOL) {
      client.request(options).onComplete(ar -> exchange(request, response, started, ar, null));
      return;
    }
    acquire().onComplete(ca -> {
      if (ca.failed()) {
        response.setStatusCode(502).end();
        return;
      }
      HttpClientConnection conn = ca.result();
      conn.request(options).onComplete(ar -> exchange(request, response, started, ar, conn));
    });
  }

  /** The exchange once the upstream request exists; {@code conn} is the own pool's connection, or null. */
  private void exchange(HttpServerRequest request, HttpServerResponse response, long started,
                        AsyncResult<HttpClientRequest> ar, HttpClientConnection conn) {
    if (ar.failed()) {
      response.setStatusCode(502).end();
      if (conn != null) {
        conn.close();
      }
      return;
    }
    HttpClientRequest upstream = ar.result();
    copy(request.headers(), upstream.headers());
    String requestId = null;
    if (CONTRACT_HEADERS) {
      requestId = contractHeaders(request, upstream.headers(), started);
    }
    String responseId = requestId;
    boolean chunked = request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
    upstream.setChunked(chunked);
    upstream.response().onComplete(r -> {
      if (r.failed()) {
        if (!response.headWritten()) {
          response.setStatusCode(502).end();
        } else {
          response.reset();
        }
        return;
      }
      respond(request, response, r.result(), upstream, responseId, conn);
    });
    if (chunked || request.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
      request.pipe().endOnFailure(false).to(upstream).onFailure(err -> upstream.reset());
    } else {
      upstream.end();
    }
  }

  /** {@code bare.ownPool}: the connection used last, a new one, or a place in the queue. */
  private Future<HttpClientConnection> acquire() {
    HttpClientConnection conn = idle.pollLast();
    if (conn != null) {
      return Future.succeededFuture(conn);
    }
    if (open < POOL_SIZE) {
      open++;
      return client.connect(connectOptions).andThen(ar -> {
        if (ar.failed()) {
          open--;
          return;
        }
        HttpClientConnection opened = ar.result();
        opened.closeHandler(v -> {
          open--;
          idle.remove(opened);
        });
      });
    }
    Promise<HttpClientConnection> waiter = Promise.promise();
    waiters.add(waiter);
    return waiter.future();
  }

  /** {@code bare.ownPool}: the connection to the first request waiting, or back to the idle list. */
  private void release(HttpClientConnection conn) {
    Promise<HttpClientConnection> waiter = waiters.poll();
    if (waiter != null) {
      waiter.complete(conn);
    } else {
      idle.addLast(conn);
    }
  }

  private void respond(HttpServerRequest request, HttpServerResponse response, HttpClientResponse upstream,
                              HttpClientRequest upstreamRequest, String requestId, HttpClientConnection conn) {
    response.setStatusCode(upstream.statusCode());
    copy(upstream.headers(), response.headers());
    if (requestId != null) {
      response.headers().set(REQUEST_ID, requestId);
      response.headers().set(VIA, VIA_VALUE);
    }
    int status = upstream.statusCode();
    if (!upstream.headers().contains(HttpHeaders.CONTENT_LENGTH) && request.method() != HttpMethod.HEAD
        && status != 204 && status != 304) {
      response.setChunked(true);
    }
    upstream.pipe().endOnFailure(false).to(response).onComplete(ar -> {
      if (ar.succeeded()) {
        if (conn != null) {
          release(conn);
        }
        return;
      }
      upstreamRequest.reset();
      response.reset();
      if (conn != null) {
        conn.close();
      }
    });
  }

  /** Every header but {@code Connection}; the transfer coding is set by {@code setChunked}. */
  private static void copy(MultiMap from, MultiMap to) {
    from.forEach((name, value) -> {
      if (!AsciiString.contentEqualsIgnoreCase(HttpHeaders.CONNECTION, name)
          && !AsciiString.contentEqualsIgnoreCase(HttpHeaders.TRANSFER_ENCODING, name)) {
        to.add(name, value);
      }
    });
  }

  /**
   * Adds the contract's upstream headers to {@code to} and returns the request id, which the
   * response carries too.
   */
  private static String contractHeaders(HttpServerRequest request, MultiMap to, long startedNanos) {
    String requestId = request.headers().get(REQUEST_ID);
    if (requestId == null) {
      ThreadLocalRandom r = ThreadLocalRandom.current();
      requestId = new UUID((r.nextLong() & 0xffffffffffff0fffL) | 0x0000000000004000L,
          (r.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L).toString();
    }
    to.add(REQUEST_ID, requestId);
    to.add(FORWARDED_FOR, request.remoteAddress().hostAddress());
    to.add(FORWARDED_PROTO, "http");
    String host = request.authority() == null ? null : request.authority().toString();
    if (host != null) {
      to.add(FORWARDED_HOST, host);
    }
    to.add(VIA, VIA_VALUE);
    to.add(ATTEMPT_COUNT, "1");
    long left = DEADLINE_MS - (System.nanoTime() - startedNanos) / 1_000_000L;
    to.add(TIMEOUT_MS, Long.toString(Math.max(1, left)));
    to.add(TRACEPARENT, traceparent());
    return requestId;
  }

  /** A new {@code traceparent}: version 00, random trace and span ids, sampled. */
  private static AsciiString traceparent() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    byte[] b = new byte[55];
    b[0] = '0';
    b[1] = '0';
    b[2] = '-';
    hex(r.nextLong(), b, 3);
    hex(r.nextLong(), b, 19);
    b[35] = '-';
    hex(r.nextLong(), b, 36);
    b[52] = '-';
    b[53] = '0';
    b[54] = '1';
    return new AsciiString(b, false);
  }

  private static void hex(long v, byte[] to, int at) {
    for (int i = 15; i >= 0; i--) {
      to[at + i] = HEX[(int) (v & 0xF)];
      v >>>= 4;
    }
  }
}
