import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An open-loop load at a fixed rate, for bench/run.sh's clustershare case: sends RATE requests a
 * second for SECONDS, all with header {@code X-Key: KEY}, to the URLs in turn (one gateway after
 * the other), whether or not earlier ones have been answered, and counts the answers by status.
 * Every millisecond it sends what the schedule says is due, on pooled keep-alive connections
 * (Vert.x's client, from the gateway's jar). Prints one line:
 * {@code RATELOAD sent=N ok=N limited=N other=N failed=N took=S} (failed includes requests still
 * unanswered 15 s after the last was sent).
 *
 * <p>Usage: {@code java -cp target/portcullis.jar bench/RateLoad.java RATE SECONDS KEY URL...}
 */
public final class RateLoad {

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println("usage: java -cp target/portcullis.jar bench/RateLoad.java RATE SECONDS KEY URL...");
      System.exit(2);
    }
    int rate = Integer.parseInt(args[0]);
    int seconds = Integer.parseInt(args[1]);
    String key = args[2];
    List<RequestOptions> targets = List.of(args).subList(3, args.length).stream().map(URI::create)
        .map(u -> new RequestOptions().setMethod(HttpMethod.GET).setHost(u.getHost()).setPort(u.getPort())
            .setURI(u.getRawPath().isEmpty() ? "/" : u.getRawPath()).putHeader("X-Key", key).setTimeout(10_000))
        .toList();
    Vertx vertx = Vertx.vertx();
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
        new PoolOptions().setHttp1MaxSize(256).setMaxWaitQueueSize(-1));

    AtomicLong sent = new AtomicLong();
    AtomicLong ok = new AtomicLong();
    AtomicLong limited = new AtomicLong();
    AtomicLong other = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long total = (long) rate * seconds;
    CountDownLatch allSent = new CountDownLatch(1);
    long start = System.nanoTime();
    vertx.setPeriodic(1, id -> {
      long due = Math.min(total, (System.nanoTime() - start) * rate / 1_000_000_000L);
      while (sent.get() < due) {
        long n = sent.getAndIncrement();
        client.request(targets.get((int) (n % targets.size())))
            .compose(request -> request.send())
            .compose(response -> response.body().map(body -> response.statusCode()))
            .onComplete(ar -> {
              if (ar.failed()) {
                failed.incrementAndGet();
              } else if (ar.result() == 200) {
                ok.incrementAndGet();
              } else if (ar.result() == 429) {
                limited.incrementAndGet();
              } else {
                other.incrementAndGet();
              }
            });
      }
      if (sent.get() >= total) {
        vertx.cancelTimer(id);
        allSent.countDown();
      }
    });
    allSent.await(seconds + 60L, TimeUnit.SECONDS);
    double took = (System.nanoTime() - start) / 1e9;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (ok.get() + limited.get() + other.get() + failed.get() < sent.get() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    long answered = ok.get() + limited.get() + other.get();
    System.out.printf("RATELOAD sent=%d ok=%d limited=%d other=%d failed=%d took=%.2f%n", sent.get(), ok.get(),
        limited.get(), other.get(), sent.get() - answered, took);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    System.exit(0);
  }
}
