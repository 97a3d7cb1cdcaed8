import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An open-loop load at a fixed rate, for bench/run.sh's clustershare case: sends RATE requests a
 * second for SECONDS, all with header {@code X-Key: KEY}, to the URLs in turn (one gateway after
 * the other), whether or not earlier ones have been answered, and counts the answers by status.
 * Prints one line: {@code RATELOAD sent=N ok=N limited=N other=N failed=N took=S} (failed includes
 * requests still unanswered 15 s after the last was sent).
 *
 * <p>Usage: {@code java bench/RateLoad.java RATE SECONDS KEY URL...}
 */
public final class RateLoad {

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println("usage: java bench/RateLoad.java RATE SECONDS KEY URL...");
      System.exit(2);
    }
    int rate = Integer.parseInt(args[0]);
    int seconds = Integer.parseInt(args[1]);
    String key = args[2];
    List<URI> urls = List.of(args).subList(3, args.length).stream().map(URI::create).toList();
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    List<HttpRequest> requests = urls.stream().map(url -> HttpRequest.newBuilder(url).header("X-Key", key)
        .timeout(Duration.ofSeconds(10)).GET().build()).toList();

    AtomicLong sent = new AtomicLong();
    AtomicLong ok = new AtomicLong();
    AtomicLong limited = new AtomicLong();
    AtomicLong other = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long total = (long) rate * seconds;
    long periodNanos = 1_000_000_000L / rate;
    ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor();
    long start = System.nanoTime();
    ticks.scheduleAtFixedRate(() -> {
      long n = sent.getAndIncrement();
      if (n >= total) {
        sent.decrementAndGet();
        return;
      }
      client.sendAsync(requests.get((int) (n % requests.size())), HttpResponse.BodyHandlers.discarding())
          .whenComplete((response, error) -> {
            if (error != null) {
              failed.incrementAndGet();
            } else if (response.statusCode() == 200) {
              ok.incrementAndGet();
            } else if (response.statusCode() == 429) {
              limited.incrementAndGet();
            } else {
              other.incrementAndGet();
            }
          });
    }, 0, periodNanos, TimeUnit.NANOSECONDS);
    while (sent.get() < total && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(seconds + 30)) {
      Thread.sleep(50);
    }
    ticks.shutdownNow();
    double took = (System.nanoTime() - start) / 1e9;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (ok.get() + limited.get() + other.get() + failed.get() < sent.get() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    System.out.printf("RATELOAD sent=%d ok=%d limited=%d other=%d failed=%d took=%.2f%n", sent.get(), ok.get(),
        limited.get(), other.get(), failed.get() + (sent.get() - ok.get() - limited.get() - other.get() - failed.get()),
        took);
    System.exit(0);
  }
}
