import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The tail workload's backend: one process, several endpoints (one port each). Each answers in
 * {@code --fast-ms} (5 ms), except a share {@code --slow-share} of requests (2%), drawn from a
 * seeded random source per endpoint, which take {@code --slow-ms} (1,000 ms). Requests are served
 * concurrently (timers, no pool), so only the tail is slow. {@code GET /stats} gives
 * {@code requests=N slow=M} for that endpoint.
 *
 * <pre>java -cp CLASSES:portcullis.jar TailBackend --ports 18320,18321</pre>
 */
public final class TailBackend {

  public static void main(String[] args) {
    String ports = "18320,18321";
    long fastMs = 5;
    long slowMs = 1000;
    double slowShare = 0.02;
    long seed = 7;
    for (int i = 0; i < args.length; i += 2) {
      String value = args[i + 1];
      switch (args[i]) {
        case "--ports" -> ports = value;
        case "--fast-ms" -> fastMs = Long.parseLong(value);
        case "--slow-ms" -> slowMs = Long.parseLong(value);
        case "--slow-share" -> slowShare = Double.parseDouble(value);
        case "--seed" -> seed = Long.parseLong(value);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Vertx vertx = Vertx.vertx();
    for (String p : ports.split(",")) {
      int port = Integer.parseInt(p.trim());
      Endpoint endpoint = new Endpoint(vertx, fastMs, slowMs, slowShare, new SplittableRandom(seed + port));
      vertx.createHttpServer().requestHandler(endpoint::handle).listen(port, "127.0.0.1")
          .onSuccess(s -> System.out.println("tail endpoint on 127.0.0.1:" + port))
          .onFailure(err -> {
            System.err.println("cannot listen on " + port + ": " + err);
            System.exit(1);
          });
    }
  }

  /** One endpoint; its handler runs on its event loop only. */
  private static final class Endpoint {
    private final Vertx vertx;
    private final long fastMs;
    private final long slowMs;
    private final double slowShare;
    private final SplittableRandom random;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong slow = new AtomicLong();

    Endpoint(Vertx vertx, long fastMs, long slowMs, double slowShare, SplittableRandom random) {
      this.vertx = vertx;
      this.fastMs = fastMs;
      this.slowMs = slowMs;
      this.slowShare = slowShare;
      this.random = random;
    }

    void handle(HttpServerRequest request) {
      if (request.path().equals("/stats")) {
        request.response().end("requests=" + requests.get() + " slow=" + slow.get() + "\n");
        return;
      }
      requests.incrementAndGet();
      boolean isSlow;
      synchronized (random) {
        isSlow = random.nextDouble() < slowShare;
      }
      if (isSlow) {
        slow.incrementAndGet();
      }
      vertx.setTimer(isSlow ? slowMs : fastMs, id -> {
        if (!request.response().closed()) {
          request.response().putHeader("Content-Type", "application/json").end("{\"ok\":true}\n");
        }
      });
    }
  }
}
