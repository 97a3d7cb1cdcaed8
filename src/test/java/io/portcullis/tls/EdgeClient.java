package io.portcullis.tls;

import io.portcullis.testkit.Await;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;

import java.nio.file.Path;

/**
 * A client of the gateway's edge for these tests: HTTPS with ALPN (offering HTTP/2 or only
 * HTTP/1.1) trusting a test authority, or cleartext HTTP/2 with prior knowledge. Each exchange
 * runs on an event loop of the client's own Vert.x and reports the protocol it was carried on.
 */
final class EdgeClient implements AutoCloseable {

  /** A complete response and the protocol version it came over. */
  record Reply(HttpVersion version, int status, MultiMap headers, String body) {
    String header(String name) {
      return headers.get(name);
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final HttpClientAgent client;

  private EdgeClient(HttpClientOptions options) {
    this.client = vertx.createHttpClient(options);
  }

  /** HTTPS trusting {@code caFile}; {@code protocol} HTTP_2 offers h2 and http/1.1 by ALPN, HTTP_1_1 only http/1.1. */
  static EdgeClient tls(Path caFile, HttpVersion protocol) {
    return new EdgeClient(new HttpClientOptions().setSsl(true).setUseAlpn(true).setProtocolVersion(protocol)
        .setTrustOptions(new PemTrustOptions().addCertPath(caFile.toString())).setVerifyHost(true));
  }

  /** Cleartext HTTP/2 with prior knowledge (no HTTP/1.1 Upgrade). */
  static EdgeClient h2c() {
    return new EdgeClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
  }

  Vertx vertx() {
    return vertx;
  }

  HttpClientAgent client() {
    return client;
  }

  /** A GET to {@code host:port path} on an event loop of the client. */
  Future<Reply> send(String host, int port, String path, String... headerNameValues) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(host).setPort(port).setURI(path);
    for (int i = 0; i + 1 < headerNameValues.length; i += 2) {
      options.addHeader(headerNameValues[i], headerNameValues[i + 1]);
    }
    Promise<Reply> reply = Promise.promise();
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> client.request(options)
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(body -> new Reply(resp.version(), resp.statusCode(),
            MultiMap.caseInsensitiveMultiMap().addAll(resp.headers()), body.toString())))
        .onComplete(reply));
    return reply.future();
  }

  /** A GET to {@code localhost:port path}, waited for. */
  Reply get(int port, String path, String... headerNameValues) {
    return Await.result(send("localhost", port, path, headerNameValues));
  }

  @Override
  public void close() {
    Await.result(vertx.close());
  }
}
