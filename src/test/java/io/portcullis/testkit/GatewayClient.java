package io.portcullis.testkit;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.TimeUnit;

/**
 * An HTTP/1.1 client for integration tests, on its own Vert.x instance (close it in
 * {@code @AfterAll}). With {@code keepAlive} false every request opens its own TCP connection,
 * so requests spread over the gateway's event-loop instances (Vert.x hands accepted
 * connections to its server instances in turn).
 */
public final class GatewayClient implements AutoCloseable {

  /** A complete response and how long it took from sending to the end of the body. */
  public record Reply(int status, MultiMap headers, String body, long elapsedMs) {
    /** A header value, or null. */
    public String header(String name) {
      return headers.get(name);
    }

    /** The body as a JSON object. */
    public JsonObject json() {
      return new JsonObject(body);
    }

    /** The gateway error code of a JSON error body, or null when the body is no JSON object. */
    public String errorCode() {
      try {
        return json().getString("error");
      } catch (RuntimeException e) {
        return null;
      }
    }

    @Override
    public String toString() {
      return status + " " + headers.entries() + " " + body + " (" + elapsedMs + " ms)";
    }
  }

  private final Vertx vertx;
  private final HttpClient client;

  private GatewayClient(boolean keepAlive) {
    this.vertx = Vertx.vertx();
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(keepAlive)
            .setIdleTimeout(20).setIdleTimeoutUnit(TimeUnit.SECONDS),
        new PoolOptions().setHttp1MaxSize(64));
  }

  /** A client; with {@code keepAlive} false each request uses a new connection. */
  public static GatewayClient create(boolean keepAlive) {
    return new GatewayClient(keepAlive);
  }

  /** The client's Vert.x. */
  public Vertx vertx() {
    return vertx;
  }

  /**
   * Sends a request; the future fails when the connection fails before the whole body arrived.
   *
   * @param headerNameValues header names and values, alternating
   */
  public Future<Reply> send(HttpMethod method, int port, String path, String body, String... headerNameValues) {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(path);
    for (int i = 0; i + 1 < headerNameValues.length; i += 2) {
      options.addHeader(headerNameValues[i], headerNameValues[i + 1]);
    }
    // The whole exchange runs on one event loop of the client's Vert.x: chaining it from the
    // test thread races the response body against the body handler (the body can be lost).
    Promise<Reply> reply = Promise.promise();
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> {
      long start = System.nanoTime();
      client.request(options)
          .compose(req -> (body == null ? req.send() : req.send(Buffer.buffer(body))))
          .compose(resp -> resp.body().map(buf -> new Reply(resp.statusCode(),
              MultiMap.caseInsensitiveMultiMap().addAll(resp.headers()), buf.toString(),
              (System.nanoTime() - start) / 1_000_000L)))
          .onComplete(reply);
    });
    return reply.future();
  }

  /** Sends a GET and waits for the whole response. */
  public Reply get(int port, String path, String... headerNameValues) {
    return Await.result(send(HttpMethod.GET, port, path, null, headerNameValues));
  }

  /** Sends a request and waits for the whole response. */
  public Reply request(HttpMethod method, int port, String path, String body, String... headerNameValues) {
    return Await.result(send(method, port, path, body, headerNameValues));
  }

  @Override
  public void close() {
    Await.result(vertx.close());
  }
}
