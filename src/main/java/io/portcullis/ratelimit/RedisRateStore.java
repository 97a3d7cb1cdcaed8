package io.portcullis.ratelimit;

import io.portcullis.ratelimit.RateStoreException.Reason;
import io.portcullis.resilience.Scheduler;
import io.portcullis.resilience.Ticker;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import io.vertx.redis.client.impl.types.ErrorType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster rate-limit decisions on one Redis connection, for one event loop: every method must be
 * called on that loop (the gateway makes one store per event loop, so the connection, its answers
 * and its timer never leave the loop that asks).
 *
 * <p>{@link #acquire} always completes, within {@code timeoutMs} of the call (plus the loop's own
 * lag), and never fails: with Redis's decision ({@code EVALSHA} of {@link ClusterScript}, falling
 * back to {@code EVAL} when Redis answers {@code NOSCRIPT}), or else with the decision of the
 * route's local bucket, each fallback reported to the shared {@link StoreHealth} with its
 * {@link RateStoreException reason}:
 * <ul>
 *   <li>The connection is made on first use (start-up does not need Redis) and again after it is
 *       lost, at most once per back-off delay ({@value #MIN_BACKOFF_MS} ms doubling up to
 *       {@value #MAX_BACKOFF_MS} ms); a call waits for a connection being made only during the
 *       attempt's first {@code timeoutMs}, and falls back at once otherwise.</li>
 *   <li>Calls are pipelined on the connection, and the calls made during one turn of the event
 *       loop (the requests of every connection it read) leave in one write, sent by a task that
 *       runs once the turn's reads are done. One timer per store, armed for the oldest call's
 *       deadline (every call has the same timeout, so deadlines come in call order), completes the
 *       calls Redis has not answered in time.</li>
 *   <li>At most {@code maxOutstanding} calls may await Redis's answers (timed-out ones included:
 *       Redis still owes them): past that, a call falls back without being sent, so a stalled
 *       connection never piles up work. A connection that answers nothing for
 *       {@code max(1 s, 20 x timeoutMs)} while owing answers is dropped and made again.</li>
 *   <li>An error reply, an answer that is not a wait, a lost connection: fallback, with the cause.</li>
 * </ul>
 */
public final class RedisRateStore implements AutoCloseable {

  /** Default bound on calls awaiting Redis's answers, per store. */
  public static final int DEFAULT_MAX_OUTSTANDING = 1024;
  /** First delay before connecting again after a failure. */
  public static final long MIN_BACKOFF_MS = 100;
  /** Longest delay between two connection attempts. */
  public static final long MAX_BACKOFF_MS = 2_000;
  /** Least time without an answer, while answers are owed, before the connection is dropped. */
  public static final long MIN_STALE_MS = 1_000;
  /** TCP connect timeout of a connection attempt. */
  public static final int CONNECT_TIMEOUT_MS = 2_000;

  private static final Logger LOG = LoggerFactory.getLogger(RedisRateStore.class);

  private enum State { IDLE, CONNECTING, CONNECTED, BACKOFF, CLOSED }

  private final Vertx vertx;
  private final String endpoint;
  private final long timeoutNanos;
  private final long staleNanos;
  private final int maxOutstanding;
  private final StoreHealth health;
  private final Ticker ticker;
  private final Scheduler scheduler;

  private State state = State.IDLE;
  private Link link;
  private long connectStartedNanos;
  private long retryAtNanos;
  private long backoffMs = MIN_BACKOFF_MS;
  /** Calls not yet decided, oldest first (decided ones are dropped from the head as they come). */
  private final ArrayDeque<Call> calls = new ArrayDeque<>();
  /** Calls made during this turn of the loop, sent together by {@link #flushTask}. */
  private List<Call> unsent = new ArrayList<>();
  private final Handler<Void> flushTask = v -> flush();
  private boolean flushScheduled;
  private Context context;
  private Scheduler.Cancellable timer;

  /**
   * A store that is not connected yet.
   *
   * @param endpoint a Vert.x Redis connection string, {@code redis://[:password@]host[:port][/db]}
   * @param timeoutMs the longest a decision may wait for Redis, {@code >= 1}
   * @param maxOutstanding the bound on calls awaiting Redis's answers, {@code >= 1}
   */
  public RedisRateStore(Vertx vertx, String endpoint, long timeoutMs, int maxOutstanding, StoreHealth health,
                        Ticker ticker, Scheduler scheduler) {
    if (timeoutMs < 1) {
      throw new IllegalArgumentException("timeoutMs: " + timeoutMs + " (expected: >= 1)");
    }
    if (maxOutstanding < 1) {
      throw new IllegalArgumentException("maxOutstanding: " + maxOutstanding + " (expected: >= 1)");
    }
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    this.staleNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(MIN_STALE_MS, 20 * timeoutMs));
    this.maxOutstanding = maxOutstanding;
    this.health = Objects.requireNonNull(health, "health");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
  }

  /**
   * Starts connecting now, the script loaded as soon as the connection is up, so that the first
   * request finds the store ready instead of waiting for a connection that may take longer than
   * {@code timeoutMs}. Call on the event loop that uses the store. Does not wait: a failure only
   * means that the first calls are decided locally (start-up does not need Redis).
   */
  public void connectAhead() {
    if (state != State.IDLE) {
      return;
    }
    if (context == null) {
      context = vertx.getOrCreateContext();
    }
    connect(ticker.nanos());
  }

  /**
   * Takes a token from the cluster bucket of {@code key} under {@code limit}.
   *
   * @return a future that always succeeds, within {@code timeoutMs}: {@code 0} when the request is
   *     admitted, else the nanoseconds until the bucket has a token again ({@code >= 1}); decided
   *     by Redis, or by {@code limit}'s local bucket when Redis did not decide in time
   */
  public Future<Long> acquire(ClusterLimit limit, String key) {
    long now = ticker.nanos();
    Call call = new Call(limit, key, now + timeoutNanos);
    if (context == null) {
      context = vertx.getOrCreateContext();
    }
    switch (state) {
      case CLOSED -> fallBack(call, Reason.UNAVAILABLE, "the store is closed", null);
      case BACKOFF -> {
        if (now - retryAtNanos < 0) {
          fallBack(call, Reason.UNAVAILABLE, "reconnecting", link == null ? null : link.failure);
        } else {
          connect(now);
          waitForConnection(call, now);
        }
      }
      case IDLE -> {
        connect(now);
        waitForConnection(call, now);
      }
      case CONNECTING -> waitForConnection(call, now);
      case CONNECTED -> {
        if (link.owed > 0 && now - link.lastAnswerNanos > staleNanos) {
          drop(link, "no answer for " + TimeUnit.NANOSECONDS.toMillis(now - link.lastAnswerNanos) + " ms");
          fallBack(call, Reason.UNAVAILABLE, "reconnecting", link.failure);
        } else if (link.owed + unsent.size() >= maxOutstanding) {
          fallBack(call, Reason.OVERLOADED, maxOutstanding + " calls await Redis's answers", null);
        } else {
          enqueue(call);
          unsent.add(call);
          if (!flushScheduled) {
            flushScheduled = true;
            context.runOnContext(flushTask);
          }
        }
      }
      default -> throw new IllegalStateException(state.toString());
    }
    return call.promise.future();
  }

  private void waitForConnection(Call call, long now) {
    if (state != State.CONNECTING) {
      // The connection attempt failed at once (a bad endpoint): the store is backing off.
      fallBack(call, Reason.UNAVAILABLE, "not connected", link == null ? null : link.failure);
    } else if (now - connectStartedNanos >= timeoutNanos) {
      fallBack(call, Reason.UNAVAILABLE, "still connecting", null);
    } else if (calls.size() >= maxOutstanding) {
      fallBack(call, Reason.OVERLOADED, maxOutstanding + " calls await the connection", null);
    } else {
      enqueue(call);
    }
  }

  // --- the connection ------------------------------------------------------------------------

  private void connect(long now) {
    state = State.CONNECTING;
    connectStartedNanos = now;
    Link attempt = new Link();
    link = attempt;
    try {
      attempt.client = Redis.createClient(vertx, new RedisOptions()
          .setConnectionString(endpoint)
          .setMaxPoolSize(1)
          .setMaxPoolWaiting(1)
          .setMaxWaitingHandlers(maxOutstanding + 1) // the calls and SCRIPT LOAD
          .setNetClientOptions(new NetClientOptions()
              .setConnectTimeout(CONNECT_TIMEOUT_MS)
              .setTcpNoDelay(true)
              .setTcpKeepAlive(true)));
      attempt.client.connect().onComplete(ar -> connected(attempt, ar));
    } catch (RuntimeException e) {
      connectFailed(attempt, e);
    }
  }

  private void connected(Link attempt, AsyncResult<RedisConnection> ar) {
    if (attempt != link || state != State.CONNECTING) {
      attempt.client.close(); // the store was closed meanwhile
      return;
    }
    if (ar.failed()) {
      connectFailed(attempt, ar.cause());
      return;
    }
    RedisConnection connection = ar.result();
    attempt.connection = connection;
    attempt.lastAnswerNanos = ticker.nanos();
    connection.exceptionHandler(err -> lost(attempt, err));
    connection.endHandler(v -> lost(attempt, null));
    state = State.CONNECTED;
    backoffMs = MIN_BACKOFF_MS;
    LOG.debug("rate limits: connected to Redis at {}", StoreHealth.redact(endpoint));
    // Loaded ahead of the calls pipelined behind it, so that they find it.
    connection.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(ClusterScript.SOURCE))
        .onFailure(err -> LOG.debug("rate limits: SCRIPT LOAD failed: {}", err.toString()));
    List<Call> waiting = new ArrayList<>();
    for (Call call : calls) {
      if (!call.done && !call.sent) {
        waiting.add(call);
      }
    }
    if (!waiting.isEmpty()) {
      dispatch(attempt, waiting, false);
    }
  }

  private void connectFailed(Link attempt, Throwable cause) {
    if (attempt != link) {
      return;
    }
    attempt.failure = cause;
    backOff(attempt);
    for (Call call : calls) {
      if (!call.done && !call.sent) {
        fallBack(call, Reason.UNAVAILABLE, "cannot connect", cause);
      }
    }
    dropDecidedHead();
  }

  /** The connection failed or closed: its owed answers fail (the client fails them) and it is made again later. */
  private void lost(Link lostLink, Throwable cause) {
    if (lostLink != link || state != State.CONNECTED) {
      return;
    }
    lostLink.failure = cause != null ? cause : new IllegalStateException("connection closed");
    LOG.debug("rate limits: connection to Redis lost: {}", lostLink.failure.toString());
    backOff(lostLink);
  }

  /** Drops a connection that owes answers and gives none (a stalled server, a silent network). */
  private void drop(Link stale, String why) {
    stale.failure = new IllegalStateException(why);
    backOff(stale);
  }

  private void backOff(Link failed) {
    state = State.BACKOFF;
    retryAtNanos = ticker.nanos() + TimeUnit.MILLISECONDS.toNanos(backoffMs);
    backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    if (failed.client != null) {
      failed.client.close(); // fails what the connection still owes: those calls fall back
    }
  }

  // --- calls ------------------------------------------------------------------------------

  /** The task run once per turn of the loop that had calls: sends them in one write. */
  private void flush() {
    flushScheduled = false;
    List<Call> group = unsent;
    if (group.isEmpty()) {
      return;
    }
    unsent = new ArrayList<>();
    if (state != State.CONNECTED) {
      // Lost between the calls and this task: the calls were never sent.
      for (Call call : group) {
        if (!call.done) {
          fallBack(call, Reason.UNAVAILABLE, "the connection failed", link == null ? null : link.failure);
        }
      }
      dropDecidedHead();
      return;
    }
    group.removeIf(call -> call.done);
    if (!group.isEmpty()) {
      dispatch(link, group, false);
    }
  }

  /** Sends {@code group} (calls not decided yet) on {@code target}, one command each, in one write. */
  private void dispatch(Link target, List<Call> group, boolean eval) {
    if (target.owed == 0) {
      target.lastAnswerNanos = ticker.nanos(); // the silence is measured from the first owed answer
    }
    target.owed += group.size();
    for (Call call : group) {
      call.sent = true;
    }
    if (group.size() == 1) {
      Call call = group.get(0);
      target.connection.send(request(call, eval)).onComplete(ar -> answered(target, call, ar, eval));
      return;
    }
    List<Request> requests = new ArrayList<>(group.size());
    for (Call call : group) {
      requests.add(request(call, eval));
    }
    target.connection.batch(requests).onComplete(ar -> answeredGroup(target, group, ar, eval));
  }

  private static Request request(Call call, boolean eval) {
    Request request = eval
        ? Request.cmd(Command.EVAL).arg(ClusterScript.SOURCE)
        : Request.cmd(Command.EVALSHA).arg(ClusterScript.SHA1);
    return request.arg(1).arg(call.limit.bucket(call.key)).arg(call.limit.intervalMicros())
        .arg(call.limit.toleranceMicros());
  }

  private void answered(Link from, Call call, AsyncResult<Response> ar, boolean eval) {
    from.owed--;
    from.lastAnswerNanos = ticker.nanos();
    if (!call.done) {
      if (ar.succeeded()) {
        decideFrom(call, ar.result());
      } else if (!eval && isNoScript(ar.cause()) && from == link && state == State.CONNECTED) {
        dispatch(from, List.of(call), true);
      } else {
        failed(call, ar.cause());
      }
    }
    dropDecidedHead();
  }

  /**
   * The answers to a group. Vert.x fails the whole group if one command failed, with every failed
   * command's error in one message, and the other answers are lost: then every call of the group
   * falls back (or, when the script was missing, is sent again as {@code EVAL}).
   */
  private void answeredGroup(Link from, List<Call> group, AsyncResult<List<Response>> ar, boolean eval) {
    from.owed -= group.size();
    from.lastAnswerNanos = ticker.nanos();
    if (ar.succeeded()) {
      List<Response> answers = ar.result();
      for (int i = 0; i < group.size(); i++) {
        Call call = group.get(i);
        if (!call.done) {
          decideFrom(call, i < answers.size() ? answers.get(i) : null);
        }
      }
    } else if (!eval && isNoScript(ar.cause()) && from == link && state == State.CONNECTED) {
      List<Call> again = new ArrayList<>(group.size());
      for (Call call : group) {
        if (!call.done) {
          again.add(call);
        }
      }
      if (!again.isEmpty()) {
        dispatch(from, again, true);
      }
    } else {
      for (Call call : group) {
        if (!call.done) {
          failed(call, ar.cause());
        }
      }
    }
    dropDecidedHead();
  }

  private void decideFrom(Call call, Response answer) {
    long waitMicros = waitMicros(answer);
    if (waitMicros < 0) {
      fallBack(call, Reason.BAD_REPLY, "Redis answered " + describe(answer) + ", not a wait", null);
    } else {
      decide(call, waitMicros * 1_000);
      health.answered();
    }
  }

  /** A failed command: an error reply from Redis, nonsense the client could not parse, or the connection. */
  private void failed(Call call, Throwable cause) {
    String message = String.valueOf(cause.getMessage());
    if (message.contains("CONNECTION_CLOSED") || !(cause instanceof ErrorType)) {
      fallBack(call, Reason.UNAVAILABLE, "the connection failed", cause);
    } else if (message.contains("ILLEGAL_STATE")) {
      // The client's parser, not Redis: the bytes were not RESP.
      fallBack(call, Reason.BAD_REPLY, "the answer is not RESP", cause);
    } else {
      fallBack(call, Reason.ERROR_REPLY, "Redis answered an error", cause);
    }
  }

  /** Whether Redis answered that it does not know the script (alone, or among a group's errors). */
  private static boolean isNoScript(Throwable cause) {
    return cause instanceof ErrorType && String.valueOf(cause.getMessage()).contains("NOSCRIPT");
  }

  /** The wait an answer holds, microseconds, or -1 when it is not a wait the script can give. */
  private static long waitMicros(Response response) {
    if (response == null || response.type() != ResponseType.NUMBER) {
      return -1;
    }
    Number number = response.toNumber();
    if (!(number instanceof Long || number instanceof Integer)) {
      return -1;
    }
    long value = number.longValue();
    return value >= 0 && value <= ClusterLimit.MAX_TOLERANCE_MICROS ? value : -1;
  }

  private static String describe(Response response) {
    if (response == null) {
      return "nil";
    }
    String text = String.valueOf(response);
    return response.type() + " " + (text.length() > 40 ? text.substring(0, 40) + "..." : text);
  }

  private void enqueue(Call call) {
    calls.addLast(call);
    if (timer == null) {
      arm(call.deadlineNanos);
    }
  }

  private void arm(long deadlineNanos) {
    long delayMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - ticker.nanos() + 999_999));
    timer = scheduler.schedule(delayMs, this::expire);
  }

  /** The timer: every call past its deadline falls back; then the timer is armed for the next one. */
  private void expire() {
    timer = null;
    long now = ticker.nanos();
    while (!calls.isEmpty()) {
      Call head = calls.peekFirst();
      if (!head.done && head.deadlineNanos - now > 0) {
        break;
      }
      calls.pollFirst();
      if (!head.done) {
        fallBack(head, Reason.TIMEOUT, "no answer within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms",
            null);
      }
    }
    if (state == State.CONNECTED && link.owed > 0 && now - link.lastAnswerNanos > staleNanos) {
      drop(link, "no answer for " + TimeUnit.NANOSECONDS.toMillis(now - link.lastAnswerNanos) + " ms");
    }
    if (!calls.isEmpty() && timer == null) {
      arm(calls.peekFirst().deadlineNanos);
    }
  }

  private void dropDecidedHead() {
    while (!calls.isEmpty() && calls.peekFirst().done) {
      calls.pollFirst();
    }
  }

  private void decide(Call call, long waitNanos) {
    call.done = true;
    call.promise.complete(waitNanos);
  }

  private void fallBack(Call call, Reason reason, String message, Throwable cause) {
    health.fellBack(new RateStoreException(reason, message, cause));
    decide(call, call.limit.local().acquire(call.key));
  }

  /** Calls not decided yet (waiting for a connection or an answer). */
  int undecided() {
    int n = 0;
    for (Call call : calls) {
      if (!call.done) {
        n++;
      }
    }
    return n;
  }

  /**
   * Whether {@code failure} was thrown by the Redis client itself (its reply parser, when Redis
   * sends bytes that are not RESP), rather than by the gateway's own code.
   */
  public static boolean fromRedisClient(Throwable failure) {
    for (StackTraceElement frame : failure.getStackTrace()) {
      if (frame.getClassName().startsWith("io.vertx.redis.client.")) {
        return true;
      }
    }
    return false;
  }

  /** Closes the connection; calls not decided yet, and every later one, are decided locally. */
  @Override
  public void close() {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    unsent = new ArrayList<>();
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
    if (link != null && link.client != null) {
      link.client.close();
    }
    while (!calls.isEmpty()) {
      Call call = calls.pollFirst();
      if (!call.done) {
        fallBack(call, Reason.UNAVAILABLE, "the store is closed", null);
      }
    }
  }

  /** One connection (attempt) to Redis and the answers it owes. */
  private static final class Link {
    Redis client;
    RedisConnection connection;
    /** Calls sent on this connection and not answered yet (timed-out ones included). */
    int owed;
    /** The last answer, or the first send after a time without owed answers. */
    long lastAnswerNanos;
    Throwable failure;
  }

  /** One decision in progress. */
  private static final class Call {
    final ClusterLimit limit;
    final String key;
    final long deadlineNanos;
    final Promise<Long> promise = Promise.promise();
    boolean sent;
    boolean done;

    Call(ClusterLimit limit, String key, long deadlineNanos) {
      this.limit = limit;
      this.key = key;
      this.deadlineNanos = deadlineNanos;
    }
  }
}
