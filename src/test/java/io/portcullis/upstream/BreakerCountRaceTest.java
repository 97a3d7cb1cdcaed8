package io.portcullis.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.GatewayExtension;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * "{@code maxFailures} failures open it" holds for a client that waits for each answer, even when
 * its requests alternate between two event loops on a loaded machine: a failure is counted before
 * its answer leaves the gateway, so the request after the {@code maxFailures}-th failure never
 * reaches the endpoint. One core is kept busy by a spinning thread while a client sends one
 * request at a time over two keep-alive connections (one per event loop of a two-instance
 * gateway); each of {@link #ROUTES} routes has breakers of its own, so each is a fresh try.
 */
@Timeout(120)
class BreakerCountRaceTest {

  private static final int ROUTES = 100;
  private static final int MAX_FAILURES = 2;

  @RegisterExtension
  static final GatewayExtension harness = GatewayExtension.keepAlive();

  @Test
  void theRequestAfterMaxFailuresFailuresNeverReachesTheEndpointUnderLoad() throws Exception {
    Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    FakeBackend backend = harness.backend(req -> {
      hits.computeIfAbsent(req.path(), p -> new AtomicInteger()).incrementAndGet();
      req.response().setStatusCode(500).end("boom");
    });
    JsonArray routes = new JsonArray();
    for (int i = 0; i < ROUTES; i++) {
      // Distinct settings: each route gets breakers of its own.
      routes.add(new JsonObject().put("name", "r" + i).put("match", new JsonObject().put("pathPrefix", "/r" + i))
          .put("upstream", "backend")
          .put("circuitBreaker", new JsonObject().put("maxFailures", MAX_FAILURES)
              .put("rollingWindowMs", 60_000 + i).put("resetTimeoutMs", 60_000)));
    }
    JsonObject config = new JsonObject()
        .put("server", new JsonObject().put("instances", 2))
        .put("upstreams", new JsonObject().put("backend", new JsonObject()
            .put("endpoints", new JsonArray().add("http://127.0.0.1:" + backend.port()))
            .put("retry", new JsonObject().put("maxAttempts", 1))))
        .put("routes", routes);
    TestGateway gateway = harness.start(config);

    Spinner spinner = new Spinner();
    try (Socket first = new Socket("127.0.0.1", gateway.port());
         Socket second = new Socket("127.0.0.1", gateway.port())) {
      Socket[] connections = {first, second};
      int sent = 0;
      for (int i = 0; i < ROUTES; i++) {
        String path = "/r" + i + "/x";
        for (int n = 1; n <= MAX_FAILURES; n++) {
          assertThat(get(connections[sent++ % 2], path)).as("failure %d on %s", n, path).startsWith("HTTP/1.1 500");
        }
        assertThat(get(connections[sent++ % 2], path)).as("the request after %d failures on %s", MAX_FAILURES, path)
            .startsWith("HTTP/1.1 503");
        assertThat(hits.get(path).get()).as("requests that reached the endpoint for %s", path).isEqualTo(MAX_FAILURES);
      }
    } finally {
      spinner.stop();
    }
  }

  /** Sends {@code GET path} on a keep-alive connection and reads one response (head and body). */
  private static String get(Socket socket, String path) throws IOException {
    socket.setSoTimeout(10_000);
    socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: gw\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed after " + head);
      }
      head.write(b);
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    int length = 0;
    for (String line : text.split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring("content-length:".length()).trim());
      }
    }
    in.readNBytes(length);
    return text;
  }

  /** Keeps one core busy until stopped. */
  private static final class Spinner {
    private volatile boolean running = true;
    private final Thread thread = new Thread(() -> {
      long x = 0;
      while (running) {
        x += System.nanoTime() & 1;
      }
      if (x == 42) {
        Thread.onSpinWait();
      }
    }, "busy-core");

    Spinner() {
      thread.setDaemon(true);
      thread.start();
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join(5_000);
    }
  }
}
