import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;

/**
 * Closed-loop load for the tail workload: {@code --requests} GETs (3,000), {@code --concurrency}
 * at a time (8), over keep-alive connections, after 200 requests to the gateway's
 * {@code /healthz/live} to warm the client up and {@code --route-warmup} GETs through the route
 * (0 by default; not measured: a percentile hedge needs a history before it hedges); then asks
 * each endpoint's {@code /stats} how many requests it received, before and after, to give the
 * backend requests per client request.
 *
 * <p>Prints, and appends to {@code --summary}, one tab-separated line: {@code label requests
 * p50_ms p99_ms p999_ms max_ms statuses backend_requests backend_per_client}; {@code statuses}
 * counts each status, with the gateway's error code for its own errors ({@code client_timeout}:
 * no answer within 5 s).
 *
 * <pre>java -cp CLASSES:portcullis.jar TailLoad --url http://127.0.0.1:18310/tail \
 *     --stats http://127.0.0.1:18320/stats,http://127.0.0.1:18321/stats --label off</pre>
 */
public final class TailLoad {

  private static final long CLIENT_TIMEOUT_MS = 5_000;
  private static final java.util.regex.Pattern ERROR_CODE =
      java.util.regex.Pattern.compile("\"error\"\\s*:\\s*\"([a-z_]+)\"");

  public static void main(String[] args) throws Exception {
    String url = null;
    String stats = "";
    int total = 3000;
    int concurrency = 8;
    int routeWarmup = 0;
    String label = "run";
    Path summary = null;
    for (int i = 0; i < args.length; i += 2) {
      String value = args[i + 1];
      switch (args[i]) {
        case "--url" -> url = value;
        case "--stats" -> stats = value;
        case "--requests" -> total = Integer.parseInt(value);
        case "--concurrency" -> concurrency = Integer.parseInt(value);
        case "--route-warmup" -> routeWarmup = Integer.parseInt(value);
        case "--label" -> label = value;
        case "--summary" -> summary = Path.of(value);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (url == null) {
      throw new IllegalArgumentException("--url is required");
    }
    java.net.URI target = java.net.URI.create(url);
    Vertx vertx = Vertx.vertx();
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(concurrency));
    List<String> statsUrls = stats.isEmpty() ? List.of() : List.of(stats.split(","));

    warmUp(client, target);
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(target.getHost())
        .setPort(target.getPort()).setURI(target.getRawPath());
    if (routeWarmup > 0) {
      run(vertx, client, options, routeWarmup, concurrency, new Histogram(3_600_000_000L, 3), new TreeMap<>());
      Thread.sleep(1_500); // the warm-up's slow requests finish upstream before the count starts
    }
    long before = backendRequests(client, statsUrls);
    Histogram latency = new Histogram(3_600_000_000L, 3);
    Map<String, Integer> statuses = new TreeMap<>();
    run(vertx, client, options, total, concurrency, latency, statuses);
    Thread.sleep(1_500); // let any request the gateway still has in flight upstream finish before counting
    long after = backendRequests(client, statsUrls);
    vertx.close().await();

    long backend = after - before;
    String line = String.format(Locale.ROOT, "%s\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%s\t%d\t%.3f", label, total,
        latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(99) / 1000.0,
        latency.getValueAtPercentile(99.9) / 1000.0, latency.getMaxValue() / 1000.0,
        statuses.toString().replace(' ', '_').replace(",_", ","), backend, backend / (double) total);
    System.out.println(line);
    if (summary != null) {
      Files.write(summary, List.of(line), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
  }

  /** Sends {@code total} GETs, {@code concurrency} at a time, and waits for every answer. */
  private static void run(Vertx vertx, HttpClient client, RequestOptions options, int total, int concurrency,
                          Histogram latency, Map<String, Integer> statuses) {
    AtomicInteger issued = new AtomicInteger();
    Promise<Void> all = Promise.promise();
    AtomicInteger running = new AtomicInteger(concurrency);
    vertx.runOnContext(v -> {
      for (int w = 0; w < concurrency; w++) {
        next(client, options, issued, total, latency, statuses, running, all);
      }
    });
    all.future().await();
  }

  private static void next(HttpClient client, RequestOptions options, AtomicInteger issued, int total,
                           Histogram latency, Map<String, Integer> statuses, AtomicInteger running,
                           Promise<Void> all) {
    if (issued.getAndIncrement() >= total) {
      if (running.decrementAndGet() == 0) {
        all.complete();
      }
      return;
    }
    long start = System.nanoTime();
    client.request(options).compose(req -> req.send()).compose(resp -> resp.body().map(b -> {
      if (resp.statusCode() < 400) {
        return String.valueOf(resp.statusCode());
      }
      java.util.regex.Matcher m = ERROR_CODE.matcher(b.toString());
      return resp.statusCode() + (m.find() ? " " + m.group(1) : "");
    }))
        .timeout(CLIENT_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .onComplete(ar -> {
          latency.recordValue(Math.max(1, (System.nanoTime() - start) / 1_000));
          statuses.merge(ar.succeeded() ? ar.result()
              : ar.cause() instanceof java.util.concurrent.TimeoutException ? "client_timeout" : "error",
              1, Integer::sum);
          next(client, options, issued, total, latency, statuses, running, all);
        });
  }

  /** Warms the client path with requests to the gateway's {@code /healthz/live} (no upstream). */
  private static void warmUp(HttpClient client, java.net.URI target) {
    RequestOptions live = new RequestOptions().setMethod(HttpMethod.GET).setHost(target.getHost())
        .setPort(target.getPort()).setURI("/healthz/live");
    for (int i = 0; i < 200; i++) {
      try {
        client.request(live).compose(req -> req.send()).compose(resp -> resp.body())
            .timeout(CLIENT_TIMEOUT_MS, TimeUnit.MILLISECONDS).await();
      } catch (Exception e) {
        // a warm-up request that failed or timed out warmed up as much as it could
      }
    }
  }

  private static long backendRequests(HttpClient client, List<String> urls) {
    long sum = 0;
    for (String u : urls) {
      java.net.URI uri = java.net.URI.create(u);
      Future<String> body = client.request(HttpMethod.GET, uri.getPort(), uri.getHost(), uri.getRawPath())
          .compose(req -> req.send()).compose(resp -> resp.body()).map(b -> b.toString())
          .timeout(CLIENT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      String text = body.await();
      for (String part : text.trim().split(" ")) {
        if (part.startsWith("requests=")) {
          sum += Long.parseLong(part.substring("requests=".length()));
        }
      }
    }
    return sum;
  }
}
