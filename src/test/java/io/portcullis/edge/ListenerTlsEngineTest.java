package io.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslHandler;
import io.portcullis.config.ConfigException;
import io.portcullis.config.ServerConfig;
import io.portcullis.config.TlsEngine;
import io.portcullis.configfile.ConfigFiles;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.TestCertificates;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code server.tls.engine} on a real listener built by {@link ListenerOptions}: each engine is
 * the one that actually runs each connection's TLS (read from the connection's own pipeline), it
 * negotiates h2 and http/1.1 by ALPN for EC and RSA keys in every PEM form the configuration
 * accepts, and a renewed certificate ({@code updateSSLOptions}, as {@link ListenerCertificate}
 * applies it) reaches new connections on the same engine.
 */
@Timeout(60)
class ListenerTlsEngineTest {

  private final TestCertificates ca = TestCertificates.authority("Engine Test CA");
  @TempDir
  Path dir;
  private Path caFile;
  private Vertx vertx;
  private HttpServer server;
  /** The TLS engine of every connection the listener accepted, in order. */
  private final Queue<SSLEngine> engines = new ConcurrentLinkedQueue<>();

  @BeforeEach
  void start() throws Exception {
    caFile = dir.resolve("ca.crt");
    TestCertificates.write(caFile, ca.authorityCertificate().certificate());
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close());
  }

  static Stream<Arguments> enginesAndKeys() {
    return Stream.of(
        Arguments.of(TlsEngine.OPENSSL, "EC, PKCS#8"),
        Arguments.of(TlsEngine.OPENSSL, "EC, SEC1"),
        Arguments.of(TlsEngine.OPENSSL, "RSA, PKCS#1"),
        Arguments.of(TlsEngine.JDK, "EC, PKCS#8"),
        Arguments.of(TlsEngine.JDK, "RSA, PKCS#1"));
  }

  @ParameterizedTest(name = "{0} with {1}")
  @MethodSource("enginesAndKeys")
  void theConfiguredEngineRunsEachConnectionAndNegotiatesH2AndHttp11(TlsEngine engine, String key) throws Exception {
    TestCertificates.Issued issued = key.startsWith("RSA") ? ca.serverRsa("gateway") : ca.server("gateway");
    TestCertificates.PemPair pair = key.endsWith("PKCS#8") ? issued.writeTo(dir, "gateway")
        : issued.writeTraditionalTo(dir, "gateway");
    HttpServerOptions options = ListenerOptions.of(server(pair, engine));
    assertThat(options.getSslEngineOptions())
        .isInstanceOf(engine == TlsEngine.OPENSSL ? OpenSSLEngineOptions.class : JdkSSLEngineOptions.class);
    int port = listen(options);

    Reply h2 = get(port, HttpVersion.HTTP_2);
    Reply http11 = get(port, HttpVersion.HTTP_1_1);

    assertThat(h2.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(http11.version()).isEqualTo(HttpVersion.HTTP_1_1);
    assertThat(h2.serial()).isEqualTo(issued.serial());
    assertThat(engines).hasSize(2).allSatisfy(used -> assertEngine(used, engine));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(TlsEngine.class)
  void theListenerAsksNoClientForACertificateAndWouldTrustNone(TlsEngine engine) throws Exception {
    TestCertificates.PemPair pair = ca.server("gateway").writeTo(dir, "gateway");
    TestCertificates.Issued clientIssued = ca.server("client");
    TestCertificates.PemPair clientPair = clientIssued.writeTo(dir, "client");
    HttpServerOptions options = ListenerOptions.of(server(pair, engine));
    Queue<String> seen = new ConcurrentLinkedQueue<>();
    server = vertx.createHttpServer(options).requestHandler(request -> {
      try {
        seen.add("client certificate " + request.connection().sslSession().getPeerCertificates().length);
      } catch (SSLPeerUnverifiedException e) {
        seen.add("no client certificate");
      }
      request.response().end("ok");
    });
    int port = Await.result(server.listen(0, "127.0.0.1")).actualPort();
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setVerifyHost(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(caFile.toString()))
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(clientPair.certFile().toString())
            .setKeyPath(clientPair.keyFile().toString())));
    try {
      String body = Await.onContext(vertx, () -> client.request(new RequestOptions().setHost("localhost")
          .setPort(port).setURI("/")).compose(req -> req.send().compose(resp -> resp.body())).map(Object::toString));

      assertThat(body).isEqualTo("ok");
      assertThat(seen).containsExactly("no client certificate");
    } finally {
      Await.result(client.close());
    }
    // Were a client certificate ever asked for, the listener's trust would refuse it.
    X509TrustManager trust = (X509TrustManager) options.getTrustOptions().getTrustManagerFactory(vertx)
        .getTrustManagers()[0];
    X509Certificate clientCertificate = clientIssued.certificate();
    assertThat(trust.getAcceptedIssuers()).isEmpty();
    assertThatThrownBy(() -> trust.checkClientTrusted(new X509Certificate[] {clientCertificate}, "ECDHE_ECDSA"))
        .isInstanceOf(CertificateException.class);
  }

  @Test
  void aRenewedCertificateReachesNewConnectionsOnTheOpenSslEngine() throws Exception {
    TestCertificates.Issued first = ca.server("gateway");
    TestCertificates.PemPair firstPair = first.writeTo(dir, "first");
    HttpServerOptions options = ListenerOptions.of(server(firstPair, TlsEngine.OPENSSL));
    int port = listen(options);
    assertThat(get(port, HttpVersion.HTTP_2).serial()).isEqualTo(first.serial());

    TestCertificates.Issued second = ca.server("gateway");
    TestCertificates.PemPair secondPair = second.writeTo(dir, "second");
    boolean updated = Await.result(server.updateSSLOptions(options.getSslOptions().copy().setKeyCertOptions(
        new PemKeyCertOptions().setCertPath(secondPair.certFile().toString())
            .setKeyPath(secondPair.keyFile().toString()))));

    assertThat(updated).isTrue();
    Reply h2 = get(port, HttpVersion.HTTP_2);
    Reply http11 = get(port, HttpVersion.HTTP_1_1);
    assertThat(h2.serial()).isEqualTo(second.serial());
    assertThat(h2.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(http11.serial()).isEqualTo(second.serial());
    assertThat(engines).hasSize(3).allSatisfy(used -> assertEngine(used, TlsEngine.OPENSSL));
  }

  private static void assertEngine(SSLEngine used, TlsEngine engine) {
    if (engine == TlsEngine.OPENSSL) {
      assertThat(used).isInstanceOf(ReferenceCountedOpenSslEngine.class);
    } else {
      assertThat(used).isNotInstanceOf(ReferenceCountedOpenSslEngine.class);
      // Netty's ALPN wrapper around the JDK's own SSLEngine.
      assertThat(used.getClass().getName()).isEqualTo("io.netty.handler.ssl.JdkAlpnSslEngine");
    }
  }

  private static ServerConfig server(TestCertificates.PemPair pair, TlsEngine engine) throws ConfigException {
    String json = ("{'server':{'tls':{'certFile':'" + pair.certFile() + "','keyFile':'" + pair.keyFile()
        + "','engine':'" + engine.jsonName() + "'}},'upstreams':{'u':{'endpoints':['http://127.0.0.1:1']}},"
        + "'routes':[{'name':'r','match':{'pathPrefix':'/'},'upstream':'u'}]}")
        .replace("\\", "\\\\").replace('\'', '"');
    return ConfigFiles.parse(json).server();
  }

  private int listen(HttpServerOptions options) {
    server = vertx.createHttpServer(options)
        .connectionHandler(connection -> engines.add(((HttpServerConnection) connection).channelHandlerContext()
            .pipeline().get(SslHandler.class).engine()))
        .requestHandler(request -> request.response().end("ok"));
    return Await.result(server.listen(0, "127.0.0.1")).actualPort();
  }

  /** What one request on a new connection saw. */
  private record Reply(HttpVersion version, BigInteger serial) {}

  /** One GET on a connection of its own, offering {@code protocol} (HTTP_2: h2 and http/1.1) by ALPN. */
  private Reply get(int port, HttpVersion protocol) {
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setUseAlpn(true)
        .setProtocolVersion(protocol).setVerifyHost(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(caFile.toString())));
    try {
      RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setHost("localhost").setPort(port)
          .setURI("/");
      return Await.onContext(vertx, () -> client.request(request)
          .compose(req -> req.send().compose(resp -> resp.body().map(body -> {
            assertThat(body.toString()).isEqualTo("ok");
            try {
              X509Certificate leaf = (X509Certificate) req.connection().sslSession().getPeerCertificates()[0];
              return new Reply(resp.version(), leaf.getSerialNumber());
            } catch (SSLPeerUnverifiedException e) {
              throw new IllegalStateException(e);
            }
          }))));
    } finally {
      Await.result(client.close());
    }
  }
}
