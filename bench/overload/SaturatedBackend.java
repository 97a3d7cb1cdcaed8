import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The saturated backend of the overload benchmark, a thread-pool server as most backends are: an
 * event loop reads each request completely and queues it, in arrival order and without bound, for
 * a pool of {@code --workers} threads (8); a worker spends {@code --service-ms} on it (40 ms,
 * blocking) and then it is answered. Capacity: workers / service time = 200 req/s. Like any
 * thread-pool server it serves every request it has read, also when the client (the gateway) has
 * given up on it in the meantime: the queue keeps abandoned work.
 *
 * <p>A request counts as <em>abandoned</em> when it was finished later than the deadline header
 * the gateway sent said (the milliseconds the gateway had left), or after its connection closed.
 * {@code GET /stats} (answered on the event loop, never queued) gives {@code served=N
 * abandoned=M queued=Q}.
 *
 * <pre>java -cp CLASSES:portcullis.jar SaturatedBackend --port 18300 [--workers 8] [--service-ms 40]</pre>
 */
public final class SaturatedBackend {

  private static final String BODY = "{\"ok\":true}\n";

  private final WorkerExecutor workers;
  private final long serviceMs;
  private final String deadlineHeader;
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong started = new AtomicLong();
  private final AtomicLong served = new AtomicLong();
  private final AtomicLong abandoned = new AtomicLong();

  private SaturatedBackend(WorkerExecutor workers, long serviceMs, String deadlineHeader) {
    this.workers = workers;
    this.serviceMs = serviceMs;
    this.deadlineHeader = deadlineHeader;
  }

  public static void main(String[] args) {
    int port = 18300;
    int threads = 8;
    long serviceMs = 40;
    String deadlineHeader = "X-Request-Timeout-Ms";
    for (int i = 0; i < args.length; i += 2) {
      String value = args[i + 1];
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(value);
        case "--workers" -> threads = Integer.parseInt(value);
        case "--service-ms" -> serviceMs = Long.parseLong(value);
        case "--deadline-header" -> deadlineHeader = value;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Vertx vertx = Vertx.vertx();
    // A worker pool of exactly `threads` threads; its queue is an unbounded FIFO.
    SaturatedBackend backend = new SaturatedBackend(
        vertx.createSharedWorkerExecutor("backend-workers", threads, 60, java.util.concurrent.TimeUnit.SECONDS),
        serviceMs, deadlineHeader);
    int finalPort = port;
    int finalThreads = threads;
    long finalService = serviceMs;
    vertx.createHttpServer().requestHandler(backend::handle).listen(port, "127.0.0.1")
        .onSuccess(s -> System.out.println("saturated backend on 127.0.0.1:" + finalPort + " (" + finalThreads
            + " workers, " + finalService + " ms each)"))
        .onFailure(err -> {
          System.err.println("cannot listen on " + finalPort + ": " + err);
          System.exit(1);
        });
  }

  private void handle(HttpServerRequest request) {
    if (request.path().equals("/stats")) {
      long queued = received.get() - started.get();
      request.response().end("served=" + served.get() + " abandoned=" + abandoned.get() + " received="
          + received.get() + " queued=" + queued + "\n");
      return;
    }
    long arrival = System.nanoTime();
    long leftMs = parse(request.getHeader(deadlineHeader));
    boolean[] gone = {false};
    request.connection().closeHandler(v -> gone[0] = true);
    request.body().onComplete(body -> {
      received.incrementAndGet();
      workers.executeBlocking(() -> {
        started.incrementAndGet();
        Thread.sleep(serviceMs);
        return null;
      }, false).onComplete(done -> {
        served.incrementAndGet();
        long elapsedMs = (System.nanoTime() - arrival) / 1_000_000L;
        if (gone[0] || elapsedMs > leftMs) {
          abandoned.incrementAndGet();
        }
        if (!gone[0]) {
          request.response().putHeader("Content-Type", "application/json").end(BODY);
        }
      });
    });
  }

  private static long parse(String millis) {
    if (millis == null) {
      return Long.MAX_VALUE;
    }
    try {
      return Long.parseLong(millis.trim());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }
}
