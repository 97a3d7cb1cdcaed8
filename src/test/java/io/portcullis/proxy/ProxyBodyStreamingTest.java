package io.portcullis.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.GatewayExtension;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Request and response bodies through the streaming proxy (README "How a request flows"): every
 * byte arrives intact in both directions whatever the method, size or framing, and neither body is
 * held back until it has ended. The client side runs on the test's own Vert.x
 * ({@link VertxExtension}); each test is one chain of asynchronous steps that ends its
 * {@link VertxTestContext}.
 */
@Timeout(90)
@ExtendWith(VertxExtension.class)
class ProxyBodyStreamingTest {

  private static final int MIB = 1024 * 1024;
  /** How long each asynchronous step may take: a 5 MiB body each way on a loaded 2-core machine. */
  private static final long STEP_SECONDS = 30;

  @RegisterExtension
  static final GatewayExtension harness = GatewayExtension.keepAlive();

  static Stream<Arguments> methodsAndSizes() {
    List<Arguments> all = new ArrayList<>();
    for (String method : List.of("GET", "POST", "PUT")) {
      for (int size : new int[] {0, 1024, 5 * MIB}) {
        all.add(Arguments.of(method, size));
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0} with a body of {1} bytes")
  @MethodSource("methodsAndSizes")
  @io.vertx.junit5.Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void aRequestBodyReachesTheBackendIntactAndTheEchoedResponseBodyReachesTheClientIntact(String method, int size,
      Vertx vertx, VertxTestContext test) {
    Promise<Received> received = Promise.promise();
    FakeBackend backend = harness.backend(streamingEcho(received));
    TestGateway gateway = harness.proxyTo(backend.port());
    byte[] body = randomBytes(size, size * 31L + method.hashCode());
    String expected = sha256(body);
    HttpClient client = client(vertx);

    // The chain starts on an event loop, so each continuation is attached before the event it
    // waits for can fire (a response body must not start arriving before its handler is set).
    vertx.runOnContext(v -> client.request(request(HttpMethod.valueOf(method), gateway, "/echo"))
        .compose(req -> req.send(Buffer.buffer(body)))
        .compose(ProxyBodyStreamingTest::collect)
        .compose(echoed -> step(received.future(), "the backend's report of the request body")
            .map(seen -> new Exchange(seen, echoed)))
        .onComplete(test.succeeding(exchange -> test.verify(() -> {
          Received seen = exchange.received();
          Echoed echoed = exchange.echoed();
          assertThat(seen.method()).isEqualTo(method);
          assertThat(seen.length()).isEqualTo(size);
          assertThat(seen.sha256()).as("SHA-256 of what the backend received").isEqualTo(expected);
          assertThat(echoed.status()).isEqualTo(200);
          assertThat(echoed.length()).isEqualTo(size);
          assertThat(echoed.sha256()).as("SHA-256 of what the client got back").isEqualTo(expected);
          if (size > 0) {
            assertThat(echoed.contentLength()).isEqualTo(Integer.toString(size));
          }
          test.completeNow();
        }))));
  }

  @Test
  @io.vertx.junit5.Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void aChunkedUploadOf5MiBIsStreamedIntactAndTheChunkedEchoComesBackIntact(Vertx vertx, VertxTestContext test) {
    Promise<Received> received = Promise.promise();
    FakeBackend backend = harness.backend(streamingEcho(received));
    TestGateway gateway = harness.proxyTo(backend.port());
    byte[] body = randomBytes(5 * MIB, 7);
    HttpClient client = client(vertx);

    vertx.runOnContext(v -> client.request(request(HttpMethod.POST, gateway, "/chunked"))
        .compose(req -> {
          // Body handlers must be in place before the echo starts arriving, i.e. before writing.
          Future<Echoed> echo = req.response().compose(ProxyBodyStreamingTest::collect);
          req.setChunked(true);
          for (int off = 0; off < body.length; off += 64 * 1024) {
            req.write(Buffer.buffer(Arrays.copyOfRange(body, off, Math.min(body.length, off + 64 * 1024))));
          }
          return req.end().compose(ended -> echo);
        })
        .compose(echoed -> step(received.future(), "the backend's report of the request body")
            .map(seen -> new Exchange(seen, echoed)))
        .onComplete(test.succeeding(exchange -> test.verify(() -> {
          Received seen = exchange.received();
          Echoed echoed = exchange.echoed();
          assertThat(seen.length()).isEqualTo(body.length);
          assertThat(seen.sha256()).isEqualTo(sha256(body));
          assertThat(echoed.status()).isEqualTo(200);
          assertThat(echoed.transferEncoding()).isEqualToIgnoringCase("chunked");
          assertThat(echoed.length()).isEqualTo(body.length);
          assertThat(echoed.sha256()).isEqualTo(sha256(body));
          assertThat(backend.seen().get(0).header("Transfer-Encoding")).isEqualToIgnoringCase("chunked");
          test.completeNow();
        }))));
  }

  /**
   * The request body reaches the backend before the client has ended it, and the response body
   * reaches the client before the backend has ended it: each side's next step waits for the
   * other side to have seen the first bytes, so a gateway that buffered either body whole would
   * stall the chain at that step.
   */
  @Test
  @io.vertx.junit5.Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void bodiesAreStreamedInBothDirectionsWithoutWaitingForTheirEnd(Vertx vertx, VertxTestContext test) {
    int requestSize = 2 * MIB;
    byte[] firstHalf = randomBytes(requestSize / 2, 1);
    byte[] secondHalf = randomBytes(requestSize / 2, 2);
    byte[] responseStart = randomBytes(256 * 1024, 3);
    byte[] responseRest = randomBytes(256 * 1024, 4);
    Promise<Void> backendGotFirstBytes = Promise.promise();
    Promise<Void> clientGotFirstBytes = Promise.promise();
    Promise<HttpServerResponse> backendResponding = Promise.promise();
    FakeBackend backend = harness.backend(req -> {
      MessageDigest digest = sha256();
      req.handler(chunk -> {
        digest.update(chunk.getBytes());
        backendGotFirstBytes.tryComplete();
      });
      req.endHandler(v -> {
        HttpServerResponse response = req.response().setChunked(true)
            .putHeader("X-Request-Sha256", HexFormat.of().formatHex(digest.digest()));
        response.write(Buffer.buffer(responseStart));
        backendResponding.complete(response);
      });
    });
    TestGateway gateway = harness.proxyTo(backend.port());
    HttpClient client = client(vertx);

    vertx.runOnContext(v -> client.request(request(HttpMethod.POST, gateway, "/stream")).compose(request -> {
      request.putHeader("Content-Length", Integer.toString(requestSize));
      MessageDigest clientDigest = sha256();
      long[] clientBytes = {0};
      Future<Echoed> done = request.response().compose(response -> {
        Promise<Echoed> promise = Promise.promise();
        response.handler(chunk -> {
          clientDigest.update(chunk.getBytes());
          clientBytes[0] += chunk.length();
          clientGotFirstBytes.tryComplete();
        });
        response.exceptionHandler(promise::tryFail);
        response.endHandler(end -> promise.tryComplete(new Echoed(response.statusCode(),
            HexFormat.of().formatHex(clientDigest.digest()), clientBytes[0], response.getHeader("X-Request-Sha256"),
            null)));
        return promise.future();
      });

      request.write(Buffer.buffer(firstHalf));
      return step(backendGotFirstBytes.future(), "the backend got the first half of the request body before its end")
          .compose(x -> request.end(Buffer.buffer(secondHalf)))
          .compose(x -> step(backendResponding.future(), "the backend began its response"))
          .compose(backendResponse -> step(clientGotFirstBytes.future(),
                  "the client got the start of the response body before its end")
              .compose(x -> {
                backend.vertx().runOnContext(y -> backendResponse.end(Buffer.buffer(responseRest)));
                return step(done, "the rest of the response body");
              }));
    }).onComplete(test.succeeding(echoed -> test.verify(() -> {
      byte[] whole = new byte[requestSize];
      System.arraycopy(firstHalf, 0, whole, 0, firstHalf.length);
      System.arraycopy(secondHalf, 0, whole, firstHalf.length, secondHalf.length);
      byte[] wholeResponse = new byte[responseStart.length + responseRest.length];
      System.arraycopy(responseStart, 0, wholeResponse, 0, responseStart.length);
      System.arraycopy(responseRest, 0, wholeResponse, responseStart.length, responseRest.length);
      assertThat(echoed.status()).isEqualTo(200);
      assertThat(echoed.contentLength()).as("backend's hash of the request body").isEqualTo(sha256(whole));
      assertThat(echoed.length()).isEqualTo(wholeResponse.length);
      assertThat(echoed.sha256()).isEqualTo(sha256(wholeResponse));
      test.completeNow();
    }))));
  }

  // ------------------------------------------------------------------------------ helpers

  /** What an echo backend received: the body's SHA-256 and length. */
  private record Received(String method, String sha256, long length) {
  }

  /** What the client got back through the Vert.x client. */
  private record Echoed(int status, String sha256, long length, String contentLength, String transferEncoding) {
  }

  /** Both sides of one exchange. */
  private record Exchange(Received received, Echoed echoed) {
  }

  /** A client on the test's Vert.x that opens a connection per request. */
  private static HttpClient client(Vertx vertx) {
    return vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
  }

  private static RequestOptions request(HttpMethod method, TestGateway gateway, String path) {
    return new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(gateway.port()).setURI(path);
  }

  /**
   * {@code event}, failed with an {@link AssertionError} naming {@code what} if it has not happened
   * within {@link #STEP_SECONDS}.
   */
  private static <T> Future<T> step(Future<T> event, String what) {
    return event.timeout(STEP_SECONDS, TimeUnit.SECONDS).recover(err -> Future.failedFuture(
        new AssertionError("not within " + STEP_SECONDS + " s: " + what, err)));
  }

  /**
   * Echoes the request body as it arrives (with back-pressure), hashing it on the way; the
   * response has the request's Content-Length if it had one, else it is chunked. What it received
   * completes {@code received} once the request has ended.
   */
  private static Handler<HttpServerRequest> streamingEcho(Promise<Received> received) {
    return req -> {
      MessageDigest digest = sha256();
      long[] length = {0};
      HttpServerResponse response = req.response();
      String contentLength = req.getHeader("Content-Length");
      if (contentLength != null) {
        response.putHeader("Content-Length", contentLength);
      } else {
        response.setChunked(true);
      }
      response.putHeader("Content-Type", "application/octet-stream");
      req.handler(chunk -> {
        digest.update(chunk.getBytes());
        length[0] += chunk.length();
        response.write(chunk);
        if (response.writeQueueFull()) {
          req.pause();
          response.drainHandler(v -> req.resume());
        }
      });
      req.exceptionHandler(received::tryFail);
      req.endHandler(v -> {
        received.tryComplete(new Received(req.method().name(), HexFormat.of().formatHex(digest.digest()), length[0]));
        response.end();
      });
    };
  }

  private static Future<Echoed> collect(HttpClientResponse response) {
    return response.body().map(body -> new Echoed(response.statusCode(), sha256(body.getBytes()), body.length(),
        response.getHeader("Content-Length"), response.getHeader("Transfer-Encoding")));
  }

  private static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(sha256().digest(bytes));
  }
}
