package io.portcullis.lifecycle;

import io.portcullis.config.UpstreamConfig;
import io.portcullis.pipeline.RequestPath;
import io.portcullis.resilience.Scheduler;
import io.portcullis.transport.LoopFlushes;
import io.portcullis.upstream.pool.UpstreamClient;
import io.portcullis.upstream.pool.UpstreamConnections;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.impl.HttpClientConnectionInternal;
import io.netty.channel.ChannelPipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * One verticle's state per configuration snapshot: a client per upstream ({@link UpstreamClient}:
 * Vert.x's HTTP client and the gateway's own keep-alive pools) and the request path over them.
 * Used on the verticle's event loop only. A new snapshot keeps the client of each upstream whose
 * connection settings are unchanged (its pooled connections stay), and gets a new client for a new
 * upstream or changed settings. A client no longer in the current generation is closed once no
 * request that started on an older generation still runs.
 */
final class LoopGenerations {

  private static final Logger LOG = LoggerFactory.getLogger(LoopGenerations.class);

  /** Builds a generation's request path over its clients ({@code generation.snapshot()} is set). */
  interface PathFactory {
    RequestPath create(Generation generation, Map<String, UpstreamClient> clients);
  }

  /** One snapshot as this event loop runs it. */
  static final class Generation {
    private final RuntimeSnapshot snapshot;
    private final Map<String, UpstreamClient> clients;
    private RequestPath path;
    private int inFlight;
    private boolean retired;

    private Generation(RuntimeSnapshot snapshot, Map<String, UpstreamClient> clients) {
      this.snapshot = snapshot;
      this.clients = clients;
    }

    RuntimeSnapshot snapshot() {
      return snapshot;
    }

    /** This generation's client of {@code upstream}. */
    UpstreamClient client(String upstream) {
      return clients.get(upstream);
    }

    /** The request path of this snapshot on this event loop. */
    RequestPath path() {
      return path;
    }
  }

  private final Vertx vertx;
  private final Function<UpstreamConfig, HttpClientOptions> clientOptions;
  private final Function<UpstreamConfig, PoolOptions> poolOptions;
  private final PathFactory paths;
  private final Function<String, Handler<HttpConnection>> connectHandlers;
  /** The current generation and every older one that still has requests running. */
  private final List<Generation> live = new ArrayList<>();
  private Generation current;

  LoopGenerations(Vertx vertx, Function<UpstreamConfig, HttpClientOptions> clientOptions,
                  Function<UpstreamConfig, PoolOptions> poolOptions, PathFactory paths) {
    this(vertx, clientOptions, poolOptions, paths, upstream -> connection -> { });
  }

  /**
   * As above; {@code connectHandlers} gives, per upstream name, the handler told of every
   * connection that upstream's clients open (the connection gauges).
   */
  LoopGenerations(Vertx vertx, Function<UpstreamConfig, HttpClientOptions> clientOptions,
                  Function<UpstreamConfig, PoolOptions> poolOptions, PathFactory paths,
                  Function<String, Handler<HttpConnection>> connectHandlers) {
    this.vertx = vertx;
    this.clientOptions = clientOptions;
    this.poolOptions = poolOptions;
    this.paths = paths;
    this.connectHandlers = connectHandlers;
  }

  /**
   * The generation to use for {@code snapshot}: adopts it first when it is newer than the current
   * one. Returns the newest generation this loop has.
   */
  Generation current(RuntimeSnapshot snapshot) {
    if (current == null || snapshot.generation() > current.snapshot.generation()) {
      adopt(snapshot);
    }
    return current;
  }

  /** Marks one request running on {@code generation}. */
  void acquire(Generation generation) {
    generation.inFlight++;
  }

  /** Marks one request on {@code generation} finished. */
  void release(Generation generation) {
    generation.inFlight--;
    closeIfDrained(generation);
  }

  private void adopt(RuntimeSnapshot snapshot) {
    Map<String, UpstreamClient> clients = new LinkedHashMap<>();
    for (UpstreamConfig upstream : snapshot.config().upstreams().values()) {
      UpstreamClient kept = current == null ? null : reusable(upstream);
      clients.put(upstream.name(), kept != null ? kept : newClient(upstream));
    }
    Map<String, UpstreamClient> frozen = Collections.unmodifiableMap(clients);
    Generation next = new Generation(snapshot, frozen);
    next.path = paths.create(next, frozen);
    Generation before = current;
    current = next;
    live.add(next);
    if (before != null) {
      before.retired = true;
      closeIfDrained(before);
    }
  }

  private UpstreamClient newClient(UpstreamConfig upstream) {
    Handler<HttpConnection> gauge = connectHandlers.apply(upstream.name());
    HttpClientAgent http = vertx.httpClientBuilder()
        .with(clientOptions.apply(upstream))
        .with(poolOptions.apply(upstream))
        .withConnectHandler(flushingInBatches(upstream.name(), gauge))
        .build();
    UpstreamConnections own = UpstreamConnections.available()
        ? new UpstreamConnections(http, upstream.pool(), upstream.name(), LoopGenerations::setUp, gauge,
            Scheduler.of(vertx))
        : null;
    return new UpstreamClient(http, own);
  }

  /** What every upstream connection gets on its pipeline: read events, then loop flushes nearest the socket. */
  private static void setUp(ChannelPipeline pipeline) {
    ReadEvents.install(pipeline);
    LoopFlushes.install(pipeline);
  }

  /**
   * {@code then}, after the connection's flushes are set to wait for the end of the loop's pass:
   * a request is written upstream while the loop handles the client's read
   * ({@code transport.LoopFlushes}), and each of its reads made one clock event ({@link ReadEvents}). A failure of the connection (a reset, say) reaches the
   * request on it, which counts and answers it; here it is logged at debug with the upstream's
   * name, where Vert.x would log it as an error naming neither.
   */
  private static Handler<HttpConnection> flushingInBatches(String upstream, Handler<HttpConnection> then) {
    return connection -> {
      if (connection instanceof HttpClientConnectionInternal client) {
        setUp(client.channelHandlerContext().pipeline());
      }
      connection.exceptionHandler(err -> LOG.debug("upstream {}: connection to {} failed: {}", upstream,
          connection.remoteAddress(), err.toString()));
      then.handle(connection);
    };
  }

  /** The current client of {@code upstream} if its connection settings are unchanged, else null. */
  private UpstreamClient reusable(UpstreamConfig upstream) {
    UpstreamConfig before = current.snapshot.config().upstreams().get(upstream.name());
    if (before == null) {
      return null;
    }
    boolean same = before.equals(upstream)
        || (clientOptions.apply(before).toJson().equals(clientOptions.apply(upstream).toJson())
            && poolOptions.apply(before).toJson().equals(poolOptions.apply(upstream).toJson()));
    return same ? current.clients.get(upstream.name()) : null;
  }

  private void closeIfDrained(Generation generation) {
    if (!generation.retired || generation.inFlight > 0 || !live.remove(generation)) {
      return;
    }
    Set<UpstreamClient> stillUsed = Collections.newSetFromMap(new IdentityHashMap<>());
    live.forEach(g -> stillUsed.addAll(g.clients.values()));
    generation.clients.forEach((name, client) -> {
      if (!stillUsed.contains(client)) {
        client.close().onFailure(err -> LOG.warn("closing the client of upstream {} failed", name, err));
      }
    });
  }

  /** Closes every client (the verticle stops). */
  Future<Void> closeAll() {
    Set<UpstreamClient> all = Collections.newSetFromMap(new IdentityHashMap<>());
    live.forEach(g -> all.addAll(g.clients.values()));
    live.clear();
    List<Future<Void>> closing = new ArrayList<>();
    all.forEach(c -> closing.add(c.close()));
    return Future.join(closing).mapEmpty();
  }
}
