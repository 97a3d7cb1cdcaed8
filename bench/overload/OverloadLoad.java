import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * Open-loop load for the overload benchmark: Poisson arrivals in phases (e.g. 5 s at 0.5 C, 20 s
 * at 2 C, 6 s at 0.5 C), each request on a connection of its own (no keep-alive, as independent
 * clients arrive), never waiting for earlier answers. Latency is measured from the moment the
 * request was due, so a late send counts against the system (no coordinated omission). Before
 * the first phase, 300 requests to the gateway's {@code /healthz/live} warm the client up.
 *
 * <p>Writes every request to {@code --csv} ({@code phase,due_ms,status,error,latency_ms}) and one
 * tab-separated summary line per phase to {@code --summary}:
 * {@code label phase offered_c seconds requests 2xx 503_overloaded 503_other 504 other goodput_c
 * p50_2xx_ms p99_2xx_ms p99_503_ms last_failure_ms ok_after_1s statuses lag_p99_ms}: {@code last_failure_ms}
 * is when (into the phase) the last request that did not get a 2xx arrived, {@code ok_after_1s}
 * whether every request that arrived 1 s or more into the phase got one, {@code statuses} the
 * count of each status and error code (0 = no answer within 5 s, no connection, or not even sent
 * in time), and {@code lag_p99_ms} the 99th percentile of the load generator's own delay in
 * sending (large: the machine, not the gateway, was the bottleneck).
 *
 * <pre>java -cp CLASSES:portcullis.jar OverloadLoad --url http://127.0.0.1:18310/slow --capacity 200 \
 *     --phases 5:0.5,20:2,6:0.5 --label off --csv run.csv --summary summary.tsv</pre>
 */
public final class OverloadLoad {

  private static final Pattern ERROR_CODE = Pattern.compile("\"error\"\\s*:\\s*\"([a-z_]+)\"");
  private static final long CLIENT_TIMEOUT_MS = 5_000;

  private record Phase(double seconds, double multiple) {
  }

  /**
   * One request's outcome; status 0 = no answer (client timeout, connection error, or the load
   * generator could not even send it in time). {@code lagNanos}: from when it was due to when the
   * load generator handed it to its HTTP client, a measure of the generator's (and the machine's)
   * own delay.
   */
  private record Result(int phase, long dueNanos, int status, String error, long latencyNanos, long lagNanos) {
  }

  public static void main(String[] args) throws Exception {
    String url = null;
    double capacity = 200;
    String phasesArg = "5:0.5,20:2,6:0.5";
    String label = "run";
    Path csv = null;
    Path summary = null;
    long seed = 1;
    for (int i = 0; i < args.length; i += 2) {
      String value = args[i + 1];
      switch (args[i]) {
        case "--url" -> url = value;
        case "--capacity" -> capacity = Double.parseDouble(value);
        case "--phases" -> phasesArg = value;
        case "--label" -> label = value;
        case "--csv" -> csv = Path.of(value);
        case "--summary" -> summary = Path.of(value);
        case "--seed" -> seed = Long.parseLong(value);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (url == null) {
      throw new IllegalArgumentException("--url is required");
    }
    List<Phase> phases = new ArrayList<>();
    for (String p : phasesArg.split(",")) {
      String[] parts = p.split(":");
      phases.add(new Phase(Double.parseDouble(parts[0]), Double.parseDouble(parts[1])));
    }
    java.net.URI target = java.net.URI.create(url);

    // The whole schedule first, so that every due request is accounted for, answered or not.
    SplittableRandom random = new SplittableRandom(seed);
    List<long[]> schedule = new ArrayList<>(); // {phase, due offset in ns}
    long phaseStartOffset = 0;
    for (int index = 0; index < phases.size(); index++) {
      Phase phase = phases.get(index);
      double rate = phase.multiple * capacity;
      long phaseEnd = phaseStartOffset + (long) (phase.seconds * 1e9);
      long due = phaseStartOffset;
      while (true) {
        due += (long) (-Math.log(1 - random.nextDouble()) / rate * 1e9);
        if (due >= phaseEnd) {
          break;
        }
        schedule.add(new long[] {index, due});
      }
      phaseStartOffset = phaseEnd;
    }

    Vertx vertx = Vertx.vertx();
    HttpClient client = vertx.createHttpClient(
        new HttpClientOptions().setKeepAlive(false).setConnectTimeout((int) CLIENT_TIMEOUT_MS),
        new PoolOptions().setHttp1MaxSize(50_000).setMaxWaitQueueSize(-1));
    // Two event loops take turns sending, so one busy loop does not delay every request. A context
    // made from a non-Vert.x thread sticks to that thread, so the second comes from another thread.
    Context[] contexts = new Context[2];
    contexts[0] = vertx.getOrCreateContext();
    Thread other = new Thread(() -> contexts[1] = vertx.getOrCreateContext());
    other.start();
    other.join();
    AtomicReferenceArray<Result> results = new AtomicReferenceArray<>(schedule.size());
    AtomicInteger outstanding = new AtomicInteger();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(target.getHost())
        .setPort(target.getPort()).setURI(target.getRawPath());

    warmUp(client, contexts[0], target);

    long start = System.nanoTime() + 200_000_000L;
    for (int i = 0; i < schedule.size(); i++) {
      long due = start + schedule.get(i)[1];
      long wait;
      while ((wait = due - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      int index = i;
      int phaseIndex = (int) schedule.get(i)[0];
      outstanding.incrementAndGet();
      contexts[i & 1].runOnContext(v -> send(client, options, index, phaseIndex, due, results, outstanding));
    }
    long waitUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLIENT_TIMEOUT_MS + 2_000);
    while (outstanding.get() > 0 && System.nanoTime() < waitUntil) {
      Thread.sleep(50);
    }
    List<Result> done = new ArrayList<>();
    long now = System.nanoTime();
    for (int i = 0; i < schedule.size(); i++) {
      long due = start + schedule.get(i)[1];
      // Still unanswered (the load generator itself fell behind): counted as no answer.
      results.compareAndSet(i, null, new Result((int) schedule.get(i)[0], due, 0, "not_sent_in_time", now - due, now - due));
      done.add(results.get(i));
    }
    vertx.close().await();

    if (csv != null) {
      writeCsv(csv, done, start, phases);
    }
    List<String> lines = summarize(label, phases, capacity, done, start);
    lines.forEach(System.out::println);
    if (summary != null) {
      Files.write(summary, lines, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }
  }

  /**
   * Warms this JVM's client path (class loading, JIT, connection set-up) with requests to the
   * gateway's {@code /healthz/live}, which never reaches an upstream, so that the first measured
   * requests do not wait for it.
   */
  static void warmUp(HttpClient client, Context context, java.net.URI target) throws InterruptedException {
    RequestOptions live = new RequestOptions().setMethod(HttpMethod.GET).setHost(target.getHost())
        .setPort(target.getPort()).setURI("/healthz/live");
    int rounds = 300;
    CountDownLatch done = new CountDownLatch(rounds);
    for (int i = 0; i < rounds; i++) {
      context.runOnContext(v -> client.request(live).compose(req -> req.send()).compose(resp -> resp.body())
          .timeout(CLIENT_TIMEOUT_MS, TimeUnit.MILLISECONDS).onComplete(ar -> done.countDown()));
      if (i % 4 == 3) {
        Thread.sleep(2);
      }
    }
    if (!done.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("warm-up requests to " + live.getURI() + " did not complete");
    }
  }

  private static void send(HttpClient client, RequestOptions options, int index, int phase, long due,
                           AtomicReferenceArray<Result> results, AtomicInteger outstanding) {
    long lag = System.nanoTime() - due;
    client.request(options)
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(body -> {
          String error = null;
          if (resp.statusCode() >= 400) {
            Matcher m = ERROR_CODE.matcher(body.toString());
            if (m.find()) {
              error = m.group(1);
            }
          }
          return new Result(phase, due, resp.statusCode(), error, System.nanoTime() - due, lag);
        }))
        .timeout(CLIENT_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .onComplete(ar -> {
          // Exactly one result per request: an answer after the client timeout is not counted.
          if (ar.succeeded()) {
            results.compareAndSet(index, null, ar.result());
          } else {
            String kind = ar.cause() instanceof java.util.concurrent.TimeoutException ? "client_timeout"
                : "connection_error";
            results.compareAndSet(index, null, new Result(phase, due, 0, kind, System.nanoTime() - due, lag));
          }
          outstanding.decrementAndGet();
        });
  }

  private static void writeCsv(Path csv, List<Result> results, long start, List<Phase> phases) throws IOException {
    try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(csv))) {
      out.println("phase,offered_c,due_ms,status,error,latency_ms");
      results.stream().sorted((a, b) -> Long.compare(a.dueNanos, b.dueNanos)).forEach(r -> out.printf(Locale.ROOT,
          "%d,%.2f,%.3f,%d,%s,%.3f%n", r.phase, phases.get(r.phase).multiple, (r.dueNanos - start) / 1e6, r.status,
          r.error == null ? "" : r.error, r.latencyNanos / 1e6));
    }
  }

  private static List<String> summarize(String label, List<Phase> phases, double capacity, List<Result> results,
                                        long start) {
    List<String> lines = new ArrayList<>();
    long phaseStart = start;
    for (int index = 0; index < phases.size(); index++) {
      Phase phase = phases.get(index);
      long from = phaseStart;
      Histogram ok = new Histogram(3_600_000_000L, 3);
      Histogram lag = new Histogram(3_600_000_000L, 3);
      Histogram shed = new Histogram(3_600_000_000L, 3);
      Map<String, Integer> counts = new TreeMap<>();
      int requests = 0;
      int good = 0;
      int overloaded = 0;
      int other503 = 0;
      int timeouts = 0;
      int other = 0;
      long lastFailure = -1;
      for (Result r : results) {
        if (r.phase != index) {
          continue;
        }
        requests++;
        lag.recordValue(Math.max(1, r.lagNanos / 1_000));
        long micros = Math.max(1, r.latencyNanos / 1_000);
        counts.merge(r.status + (r.error == null ? "" : " " + r.error), 1, Integer::sum);
        if (r.status >= 200 && r.status < 300) {
          good++;
          ok.recordValue(micros);
        } else {
          lastFailure = Math.max(lastFailure, r.dueNanos - from);
          if (r.status == 503) {
            shed.recordValue(micros);
            if ("overloaded".equals(r.error)) {
              overloaded++;
            } else {
              other503++;
            }
          } else if (r.status == 504) {
            timeouts++;
          } else {
            other++;
          }
        }
      }
      double goodputC = good / phase.seconds / capacity;
      String okAfter1s = index == 0 ? "-" : lastFailure < 1_000_000_000L ? "yes" : "no";
      lines.add(String.format(Locale.ROOT,
          "%s\t%d\t%.2f\t%.0f\t%d\t%d\t%d\t%d\t%d\t%d\t%.3f\t%s\t%s\t%s\t%s\t%s\t%s\t%s", label, index, phase.multiple,
          phase.seconds, requests, good, overloaded, other503, timeouts, other, goodputC, ms(ok, 50), ms(ok, 99),
          ms(shed, 99), lastFailure < 0 ? "-" : String.format(Locale.ROOT, "%.0f", lastFailure / 1e6), okAfter1s,
          counts.toString().replace(' ', '_').replace(",_", ","), ms(lag, 99)));
      phaseStart += (long) (phase.seconds * 1e9);
    }
    return lines;
  }

  private static String ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? "-"
        : String.format(Locale.ROOT, "%.0f", h.getValueAtPercentile(percentile) / 1000.0);
  }
}
