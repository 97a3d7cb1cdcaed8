package io.portcullis.upstream.pool;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.portcullis.config.PoolConfig;
import io.portcullis.resilience.Scheduler;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.impl.HttpClientConnectionInternal;
import io.vertx.core.http.impl.UnpooledHttpClientConnection;
import io.vertx.core.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One upstream's plain-HTTP/1.1 keep-alive connections on one event loop: an {@link EndpointPool}
 * per endpoint address, over connections the upstream's Vert.x client opens one by one
 * ({@link HttpClientAgent#connect}) and that this class pools itself. Vert.x's own pool builds a
 * context and runs a selection over every connection on each request; this one hands out the idle
 * connection used last from a list (README "Upstream connections", {@code docs/performance.md}).
 *
 * <p>Each connection, as it opens, gets what the Vert.x pool's connect handler gives its own: the
 * pipeline handlers ({@code pipelineSetup}: one clock event per read, flushes at the end of the
 * loop's pass), the open-connection gauge ({@code opened}) and a log line at debug for its
 * failures. Idle connections past their keep-alive time (60 s, or the upstream's
 * {@code Keep-Alive: timeout}) are closed by a sweep once a second while any connection is open,
 * and a pool with nothing open and nobody waiting is forgotten then.
 *
 * <p>Reaching the connection's channel needs the connection Vert.x wraps an unpooled one in
 * ({@code UnpooledHttpClientConnection.actual}); when that field cannot be read (another Vert.x
 * version), {@link #available()} is false and every request stays on Vert.x's pool.
 */
public final class UpstreamConnections {

  private static final Logger LOG = LoggerFactory.getLogger(UpstreamConnections.class);
  private static final long SWEEP_MS = 1000;
  private static final VarHandle ACTUAL = actualField();

  /**
   * An open connection: what requests are sent on, the connection under it (its channel), and the
   * options of the request it carries, refilled for each: a connection carries one request at a
   * time, and Vert.x may read them after {@code request(options)} returns (when the connection's
   * last stream has not closed yet), but never after the response ends, and only then is the
   * connection handed out again.
   */
  public record Connection(HttpClientConnection http, HttpClientConnectionInternal actual, RequestOptions options) {
    Channel channel() {
      return actual.channelHandlerContext().channel();
    }
  }

  private final HttpClientAgent client;
  private final PoolConfig limits;
  private final String upstream;
  private final Consumer<ChannelPipeline> pipelineSetup;
  private final Handler<HttpConnection> opened;
  private final Scheduler scheduler;
  private final Map<SocketAddress, EndpointPool<Connection>> pools = new HashMap<>();
  private Scheduler.Cancellable sweeping;
  private boolean closed;

  /**
   * Connections of {@code upstream} opened by {@code client}.
   *
   * @param limits {@code pool.maxConnections} and {@code pool.maxPending}, per endpoint
   * @param pipelineSetup what goes on each new connection's pipeline
   * @param opened told of each new connection (the gauge)
   * @param scheduler the sweep's timer
   */
  public UpstreamConnections(HttpClientAgent client, PoolConfig limits, String upstream,
                             Consumer<ChannelPipeline> pipelineSetup, Handler<HttpConnection> opened,
                             Scheduler scheduler) {
    this.client = client;
    this.limits = limits;
    this.upstream = upstream;
    this.pipelineSetup = pipelineSetup;
    this.opened = opened;
    this.scheduler = scheduler;
  }

  /** Whether this Vert.x lets the gateway pool connections itself (see the class comment). */
  public static boolean available() {
    return ACTUAL != null;
  }

  /**
   * The pool of the endpoint at {@code server}, reached as {@code host}:{@code port} (the
   * connection's authority); made on first use.
   */
  public EndpointPool<Connection> pool(SocketAddress server, String host, int port) {
    EndpointPool<Connection> pool = pools.get(server);
    return pool != null ? pool : create(server, host, port);
  }

  /** The pools there are now (tests, the sweep). */
  int pools() {
    return pools.size();
  }

  private EndpointPool<Connection> create(SocketAddress server, String host, int port) {
    HttpConnectOptions connect = new HttpConnectOptions().setServer(server).setHost(host).setPort(port).setSsl(false);
    String name = "upstream " + upstream + " at " + server;
    EndpointPool<Connection> pool = new EndpointPool<>(new Connections(connect, name), limits.maxConnections(),
        limits.maxPending().orElse(Integer.MAX_VALUE), name);
    if (closed) {
      pool.close();
      return pool;
    }
    pools.put(server, pool);
    if (sweeping == null) {
      sweeping = scheduler.schedule(SWEEP_MS, this::sweep);
    }
    return pool;
  }

  private void sweep() {
    sweeping = null;
    for (Iterator<EndpointPool<Connection>> it = pools.values().iterator(); it.hasNext(); ) {
      if (it.next().sweep()) {
        it.remove();
      }
    }
    if (!closed && !pools.isEmpty()) {
      sweeping = scheduler.schedule(SWEEP_MS, this::sweep);
    }
  }

  /** Closes every pool: idle connections now, busy ones as they are given back. */
  public void close() {
    closed = true;
    if (sweeping != null) {
      sweeping.cancel();
      sweeping = null;
    }
    pools.values().forEach(EndpointPool::close);
    pools.clear();
  }

  /** How one endpoint's connections are opened, checked and closed. */
  private final class Connections implements EndpointPool.Connections<Connection> {
    private final HttpConnectOptions connect;
    private final String name;

    Connections(HttpConnectOptions connect, String name) {
      this.connect = connect;
      this.name = name;
    }

    @Override
    public void open(Handler<AsyncResult<Connection>> done) {
      client.connect(connect).onComplete(ar -> {
        if (ar.failed()) {
          done.handle(Future.failedFuture(ar.cause()));
          return;
        }
        HttpClientConnection http = ar.result();
        HttpClientConnectionInternal actual;
        try {
          actual = (HttpClientConnectionInternal) ACTUAL.get(http);
          pipelineSetup.accept(actual.channelHandlerContext().pipeline());
        } catch (RuntimeException e) {
          // Not the connection this class knows how to reach: not used, and the attempt told why.
          LOG.warn("{}: a new connection could not be set up, closing it", name, e);
          http.close();
          done.handle(Future.failedFuture(e));
          return;
        }
        actual.exceptionHandler(err -> LOG.debug("upstream {}: connection to {} failed: {}", upstream,
            actual.remoteAddress(), err.toString()));
        opened.handle(actual);
        done.handle(Future.succeededFuture(new Connection(http, actual, new RequestOptions().setFollowRedirects(false))));
      });
    }

    @Override
    public void onClose(Connection connection, Runnable closed) {
      connection.channel().closeFuture().addListener(f -> closed.run());
    }

    @Override
    public boolean reusable(Connection connection) {
      return connection.channel().isActive() && connection.actual().isValid();
    }

    @Override
    public void close(Connection connection) {
      connection.http().close().onFailure(err -> LOG.debug("{}: closing a connection failed: {}", name,
          err.toString()));
    }
  }

  private static VarHandle actualField() {
    try {
      return MethodHandles.privateLookupIn(UnpooledHttpClientConnection.class, MethodHandles.lookup())
          .findVarHandle(UnpooledHttpClientConnection.class, "actual", HttpClientConnectionInternal.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("upstream connections stay on Vert.x's pool: the connection under an unpooled one cannot be reached ({})",
          e.toString());
      return null;
    }
  }
}
