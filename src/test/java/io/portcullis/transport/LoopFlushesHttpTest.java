package io.portcullis.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.Await;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.impl.HttpClientConnectionInternal;
import io.vertx.core.http.impl.HttpServerConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link LoopFlushes#install(HttpConnection)} on real Vert.x HTTP/1.1 connections over loopback:
 * a server's and a client's connection get the handler first in their pipelines, and requests and
 * responses larger than a connection's high-water mark (so writability turns while flushes are
 * held) all arrive whole, one after another on a kept-alive connection and many at once.
 */
class LoopFlushesHttpTest {

  private static final int BODY_BYTES = 256 * 1024;

  private Vertx vertx;
  /** The event-loop context every exchange is made from. */
  private Context context;
  private HttpServer server;
  private HttpClient client;
  /** Per connection opened (server or client side): whether LoopFlushes was first after install. */
  private final Queue<String> firstHandlers = new ConcurrentLinkedQueue<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    Buffer body = Buffer.buffer(new byte[BODY_BYTES]);
    server = vertx.createHttpServer()
        .connectionHandler(connection -> {
          LoopFlushes.install(connection);
          firstHandlers.add("server:" + first(connection));
        })
        .requestHandler(request -> request.body().onSuccess(received -> request.response()
            .putHeader("X-Received", Integer.toString(received.length()))
            .end(body)));
    Await.result(server.listen(0, "127.0.0.1"));
    client = vertx.httpClientBuilder()
        .withConnectHandler(connection -> {
          LoopFlushes.install(connection);
          firstHandlers.add("client:" + first(connection));
        })
        .build();
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close());
  }

  private static String first(HttpConnection connection) {
    Object handler = connection instanceof HttpServerConnection s ? s.channelHandlerContext().pipeline().first()
        : ((HttpClientConnectionInternal) connection).channelHandlerContext().pipeline().first();
    return handler.getClass().getSimpleName();
  }

  /**
   * One exchange, made from an event-loop context as the gateway makes its upstream requests. Made
   * from the test's own thread instead, the response's future would reach {@code body()} through
   * a task queued behind the response's own bytes, which may all have been delivered by then.
   */
  private Future<String> exchange(int requestBytes) {
    Promise<String> result = Promise.promise();
    context.runOnContext(v -> client.request(HttpMethod.POST, server.actualPort(), "127.0.0.1", "/")
        .compose(request -> request.send(Buffer.buffer(new byte[requestBytes])))
        .compose(response -> response.body().map(b -> summary(response, b)))
        .onComplete(result));
    return result.future();
  }

  private static String summary(HttpClientResponse response, Buffer body) {
    return response.statusCode() + " sent " + response.getHeader("X-Received") + " got " + body.length();
  }

  @Test
  void bothEndsOfAnHttpConnectionGetTheHandlerFirstAndLargeExchangesArriveWhole() {
    for (int i = 0; i < 5; i++) {
      assertThat(Await.result(exchange(BODY_BYTES))).isEqualTo("200 sent " + BODY_BYTES + " got " + BODY_BYTES);
    }

    // Every connection either side opened (the pool may open a second one while the first is
    // being recycled) has it first.
    assertThat(firstHandlers).contains("server:LoopFlushes", "client:LoopFlushes")
        .allMatch(s -> s.endsWith(":LoopFlushes"));
  }

  @Test
  void manyExchangesAtOnceOverSeveralConnectionsAllArriveWhole() {
    List<Future<String>> all = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      all.add(exchange(i * 4096));
    }

    for (int i = 0; i < all.size(); i++) {
      assertThat(Await.result(all.get(i))).isEqualTo("200 sent " + (i * 4096) + " got " + BODY_BYTES);
    }
    assertThat(firstHandlers).hasSizeGreaterThan(2).contains("server:LoopFlushes", "client:LoopFlushes")
        .allMatch(s -> s.endsWith(":LoopFlushes"));
  }
}
