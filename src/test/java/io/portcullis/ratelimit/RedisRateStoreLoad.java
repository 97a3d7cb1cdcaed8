package io.portcullis.ratelimit;

import io.portcullis.resilience.Scheduler;
import io.portcullis.resilience.Ticker;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.RedisServer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * A load run of {@link RedisRateStore} against a local {@code redis-server} (not a test: a
 * program, for the figures in the report and {@code docs/performance.md}). Each of {@code loops}
 * event loops gets its own store; {@code concurrency} callers in all each decide one request, then
 * the next, for {@code seconds} after a warm-up; keys spread over 1,000 buckets. Prints decisions
 * per second, latency percentiles (measured on the loop, from the call to the decision) and how
 * many fell back.
 *
 * <pre>
 * mvn -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) io.portcullis.ratelimit.RedisRateStoreLoad [loops] [concurrency] [seconds] [timeoutMs]
 * </pre>
 */
public final class RedisRateStoreLoad {

  /**
   * Whether each next call starts from a task of its own rather than from inside the Redis
   * connection's read (where Vert.x defers the flush to the end of the read, batching writes that
   * a gateway, whose calls come from its clients' reads, would not batch). {@code -Dhop=false} to
   * turn off.
   */
  private static final boolean HOP = Boolean.parseBoolean(System.getProperty("hop", "true"));

  private RedisRateStoreLoad() {
  }

  public static void main(String[] args) throws Exception {
    int loops = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    long timeoutMs = args.length > 3 ? Long.parseLong(args[3]) : 25;
    try (RedisServer redis = RedisServer.start()) {
      Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
      try {
        StoreHealth health = new StoreHealth(redis.endpoint(), Ticker.system());
        ClusterLimit limit = new ClusterLimit("load", new RateLimiter(1e9, 1_000_000, Ticker.system()));
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < loops; i++) {
          Context context = vertx.getOrCreateContext();
          RedisRateStore store = new RedisRateStore(vertx, redis.endpoint(), timeoutMs,
              RedisRateStore.DEFAULT_MAX_OUTSTANDING, health, Ticker.system(), Scheduler.of(vertx));
          workers.add(new Worker(context, store, limit, concurrency / loops));
        }
        run(workers, 5);
        long fallbacksBefore = health.fallbacks();
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpuBefore = os.getProcessCpuTime();
        long redisCpuBefore = cpuTicks(redis.pid());
        Result result = run(workers, seconds);
        long cpuNanos = os.getProcessCpuTime() - cpuBefore;
        long redisTicks = cpuTicks(redis.pid()) - redisCpuBefore;
        System.out.printf("loops=%d concurrency=%d timeoutMs=%d seconds=%d hop=%s%n", loops, concurrency, timeoutMs,
            seconds, HOP);
        System.out.printf("decisions/s=%.0f p50=%.3fms p90=%.3fms p99=%.3fms p99.9=%.3fms max=%.3fms fallbacks=%d%n",
            result.count / (double) seconds, ms(result.latency.getValueAtPercentile(50)),
            ms(result.latency.getValueAtPercentile(90)), ms(result.latency.getValueAtPercentile(99)),
            ms(result.latency.getValueAtPercentile(99.9)), ms(result.latency.getMaxValue()),
            health.fallbacks() - fallbacksBefore);
        System.out.printf("this JVM: %.1f us CPU per decision; redis-server: %.1f us CPU per decision%n",
            cpuNanos / 1e3 / result.count, redisTicks * 1e6 / 100.0 / result.count);
        for (Worker worker : workers) {
          Await.result(onLoop(worker.context, () -> {
            worker.store.close();
            return Future.succeededFuture();
          }));
        }
      } finally {
        Await.result(vertx.close());
      }
    }
  }

  /** User + system CPU of process {@code pid} in clock ticks (1/100 s on Linux), from /proc. */
  private static long cpuTicks(long pid) throws java.io.IOException {
    String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private record Result(long count, Histogram latency) {
  }

  private static Result run(List<Worker> workers, int seconds) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<Future<Histogram>> all = new ArrayList<>();
    for (Worker worker : workers) {
      all.add(onLoop(worker.context, () -> worker.start(end)));
    }
    List<Histogram> histograms = Await.result(Future.all(all), (seconds + 30) * 1000L).list();
    Histogram total = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    for (Histogram h : histograms) {
      total.add(h);
    }
    return new Result(total.getTotalCount(), total);
  }

  private static <T> Future<T> onLoop(Context context, java.util.function.Supplier<Future<T>> action) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(promise));
    return promise.future();
  }

  /** The callers of one event loop. */
  private static final class Worker {
    final Context context;
    final RedisRateStore store;
    final ClusterLimit limit;
    final int callers;
    final String[] keys = new String[1_000];
    Histogram latency;
    long end;
    int running;
    Promise<Histogram> done;
    int next;

    Worker(Context context, RedisRateStore store, ClusterLimit limit, int callers) {
      this.context = context;
      this.store = store;
      this.limit = limit;
      this.callers = callers;
      for (int i = 0; i < keys.length; i++) {
        keys[i] = "10.0." + (i / 256) + "." + (i % 256);
      }
    }

    Future<Histogram> start(long endNanos) {
      latency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
      end = endNanos;
      done = Promise.promise();
      running = callers;
      for (int i = 0; i < callers; i++) {
        call();
      }
      return done.future();
    }

    private void call() {
      long started = System.nanoTime();
      if (started - end >= 0) {
        if (--running == 0) {
          done.complete(latency);
        }
        return;
      }
      Future<Long> decision = store.acquire(limit, keys[next++ % keys.length]);
      boolean synchronous = decision.isComplete(); // decided locally: no recursion on this stack
      decision.onComplete(ar -> {
        latency.recordValue(Math.min(System.nanoTime() - started, TimeUnit.SECONDS.toNanos(10)));
        if (synchronous || HOP) {
          context.runOnContext(v -> call());
        } else {
          call();
        }
      });
    }
  }
}
