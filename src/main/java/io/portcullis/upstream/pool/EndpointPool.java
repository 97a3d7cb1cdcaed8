package io.portcullis.upstream.pool;

import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.http.ConnectionPoolTooBusyException;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * One endpoint's keep-alive connections on one event loop: at most {@code maxConnections} open,
 * idle ones handed out newest first, at most {@code maxPending} requests waiting for one (FIFO),
 * beyond that refused at once. Confined to its event loop: no locks, no atomics.
 *
 * <p>The pool knows connections only through {@link Connections}: how to open one, whether an idle
 * one may still be used (open, within its keep-alive time), how to close one. A connection that
 * closes on its own (the upstream hung up) is reported with {@link #closed(Lease)}; one given back
 * after its exchange with {@link #release(Lease, boolean)}, reusable or not. Every way out frees
 * its place exactly once, and a freed place goes to the first waiter.
 *
 * @param <C> the connection type
 */
public final class EndpointPool<C> {

  /** What the pool needs of its connections. */
  public interface Connections<C> {

    /** Opens a new connection; {@code opened} is called once, on the pool's event loop. */
    void open(Handler<AsyncResult<C>> opened);

    /**
     * Calls {@code closed} once when {@code connection} closes, at once if it is closed already (on
     * the pool's event loop).
     */
    void onClose(C connection, Runnable closed);

    /** Whether the idle {@code connection} may carry another request: open and within its keep-alive time. */
    boolean reusable(C connection);

    /** Closes {@code connection} (nothing happens if it is closed already). */
    void close(C connection);
  }

  /** A request waiting for a connection: told exactly once. */
  public interface Waiter<C> {

    /** The connection is the waiter's until it gives it back with {@link #release}. */
    void acquired(Lease<C> lease);

    /** No connection: it could not be opened, the wait queue is full, or the pool closed. */
    void refused(Throwable cause);
  }

  /** One connection's place in the pool, held by whoever uses it. */
  public static final class Lease<C> {
    private final C connection;
    private boolean idle;
    /** Closed, or given up by the pool: its place is free already. */
    private boolean gone;

    private Lease(C connection) {
      this.connection = connection;
    }

    /** The connection. */
    public C connection() {
      return connection;
    }
  }

  private final Connections<C> connections;
  private final int maxConnections;
  private final int maxPending;
  private final String name;
  /** Idle connections, oldest first: taken from the end, expired from the front. */
  private final ArrayDeque<Lease<C>> idle = new ArrayDeque<>();
  private final ArrayDeque<Waiter<C>> waiters = new ArrayDeque<>();
  /** Connections open or being opened, idle or in use. */
  private int open;
  private boolean closed;

  /**
   * A pool over {@code connections}.
   *
   * @param maxConnections the most connections open or being opened, >= 1
   * @param maxPending the most requests waiting for a connection, >= 0; {@code Integer.MAX_VALUE}
   *     for no bound
   * @param name the endpoint, for the refusal's message
   */
  public EndpointPool(Connections<C> connections, int maxConnections, int maxPending, String name) {
    if (maxConnections < 1 || maxPending < 0) {
      throw new IllegalArgumentException("maxConnections must be >= 1 and maxPending >= 0, got "
          + maxConnections + " and " + maxPending);
    }
    this.connections = connections;
    this.maxConnections = maxConnections;
    this.maxPending = maxPending;
    this.name = name;
  }

  /**
   * Gives {@code waiter} a connection: the idle one used last that is still reusable, else a new
   * one while fewer than {@code maxConnections} are open, else a place in the wait queue, else a
   * refusal ({@link ConnectionPoolTooBusyException}, before this call returns). Returns whether
   * the waiter took a place in the queue (then it may leave it with {@link #cancel}).
   */
  public boolean acquire(Waiter<C> waiter) {
    if (closed) {
      waiter.refused(new IllegalStateException("the connection pool of " + name + " is closed"));
      return false;
    }
    Lease<C> lease;
    while ((lease = idle.pollLast()) != null) {
      lease.idle = false;
      if (connections.reusable(lease.connection)) {
        waiter.acquired(lease);
        return false;
      }
      drop(lease);
    }
    if (open < maxConnections) {
      openFor(waiter);
      return false;
    }
    if (waiters.size() >= maxPending) {
      waiter.refused(new ConnectionPoolTooBusyException("the connection pool of " + name + " has "
          + waiters.size() + " requests waiting"));
      return false;
    }
    waiters.addLast(waiter);
    return true;
  }

  /**
   * Takes {@code waiter} out of the wait queue. Returns whether it was waiting; it is not told.
   */
  public boolean cancel(Waiter<C> waiter) {
    return waiters.removeFirstOccurrence(waiter);
  }

  /**
   * Gives {@code lease} back after its exchange: to the first waiter or the idle list when
   * {@code reusable}, else the connection is closed and its place freed. A lease the pool no longer
   * counts (its connection closed meanwhile) is ignored.
   */
  public void release(Lease<C> lease, boolean reusable) {
    if (lease.gone || lease.idle) {
      return;
    }
    if (!reusable || closed) {
      drop(lease);
      return;
    }
    Waiter<C> waiter = waiters.pollFirst();
    if (waiter != null) {
      waiter.acquired(lease);
      return;
    }
    lease.idle = true;
    idle.addLast(lease);
  }

  /** {@code lease}'s connection closed on its own (idle or in use): its place is freed. */
  public void closed(Lease<C> lease) {
    if (lease.gone) {
      return;
    }
    if (lease.idle) {
      lease.idle = false;
      idle.remove(lease);
    }
    lease.gone = true;
    open--;
    serveWaiters();
  }

  /**
   * Closes the idle connections that are no longer reusable (their keep-alive time is up). Returns
   * whether the pool is empty now: nothing open, nobody waiting.
   */
  public boolean sweep() {
    List<Lease<C>> expired = null;
    for (Iterator<Lease<C>> it = idle.iterator(); it.hasNext(); ) {
      Lease<C> lease = it.next();
      if (!connections.reusable(lease.connection)) {
        it.remove();
        lease.idle = false;
        if (expired == null) {
          expired = new ArrayList<>();
        }
        expired.add(lease);
      }
    }
    if (expired != null) {
      expired.forEach(this::drop);
    }
    return open == 0 && waiters.isEmpty();
  }

  /**
   * Closes the pool: idle connections now, each one in use when it is given back; waiters are
   * refused, and so is every later {@link #acquire}.
   */
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    Lease<C> lease;
    while ((lease = idle.pollFirst()) != null) {
      lease.idle = false;
      drop(lease);
    }
    Waiter<C> waiter;
    while ((waiter = waiters.pollFirst()) != null) {
      waiter.refused(new IllegalStateException("the connection pool of " + name + " is closed"));
    }
  }

  /** Connections open or being opened. */
  public int open() {
    return open;
  }

  /** Idle connections. */
  public int idle() {
    return idle.size();
  }

  /** Requests waiting for a connection. */
  public int pending() {
    return waiters.size();
  }

  private void openFor(Waiter<C> waiter) {
    open++;
    connections.open(ar -> {
      if (ar.failed()) {
        open--;
        waiter.refused(ar.cause());
        serveWaiters();
        return;
      }
      Lease<C> lease = new Lease<>(ar.result());
      connections.onClose(lease.connection, () -> closed(lease));
      if (lease.gone) {
        // Closed by the upstream before it could be used: a connect failure (its place is free already).
        waiter.refused(new IllegalStateException("the connection to " + name + " closed as it opened"));
        return;
      }
      if (closed) {
        drop(lease);
        waiter.refused(new IllegalStateException("the connection pool of " + name + " is closed"));
        return;
      }
      waiter.acquired(lease);
    });
  }

  /** Closes {@code lease}'s connection and frees its place now (its close is not waited for). */
  private void drop(Lease<C> lease) {
    if (lease.gone) {
      return;
    }
    lease.gone = true;
    open--;
    connections.close(lease.connection);
    serveWaiters();
  }

  /** A place is free: the first waiter gets a new connection. */
  private void serveWaiters() {
    if (!closed && open < maxConnections && !waiters.isEmpty()) {
      openFor(waiters.pollFirst());
    }
  }
}
