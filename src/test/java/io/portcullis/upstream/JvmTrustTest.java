package io.portcullis.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.GatewayConfig;
import io.portcullis.configfile.ConfigFiles;
import io.portcullis.testkit.TestCertificates;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.TrustOptions;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM's trust store for {@code https://} upstreams without {@code tls.trustFile}: read ahead, off
 * the event loops, when the configuration has such an upstream; the same authorities the JVM trusts;
 * carried by those upstreams' client options, while a {@code trustFile} still wins.
 */
class JvmTrustTest {

  @TempDir
  Path dir;

  private final Vertx vertx = Vertx.vertx();

  @BeforeEach
  void caFile() {
    TestCertificates.write(dir.resolve("ca.crt"),
        TestCertificates.authority("Trust File CA").authorityCertificate().certificate());
  }

  @AfterEach
  void close() {
    vertx.close();
  }

  private static GatewayConfig config(String upstreams) throws Exception {
    return ConfigFiles.parse(("{'upstreams':{" + upstreams + "},"
        + "'routes':[{'name':'r','match':{'pathPrefix':'/'},'upstream':'u'}]}").replace('\'', '"'));
  }

  private static X509Certificate[] issuers(TrustOptions options, Vertx vertx) throws Exception {
    return ((X509TrustManager) options.getTrustManagerFactory(vertx).getTrustManagers()[0]).getAcceptedIssuers();
  }

  @Test
  void onlyAnHttpsUpstreamWithoutATrustFileNeedsTheJvmStore() throws Exception {
    assertThat(JvmTrust.needed(config("'u':{'endpoints':['http://127.0.0.1:1']}"))).isFalse();
    assertThat(JvmTrust.needed(config("'u':{'endpoints':['https://backend.test:443'],"
        + "'tls':{'trustFile':'" + dir.resolve("ca.crt") + "'}}"))).isFalse();
    assertThat(JvmTrust.needed(config("'u':{'endpoints':['http://127.0.0.1:1']},"
        + "'v':{'endpoints':['https://backend.test:443']}"))).isTrue();
  }

  @Test
  void anHttpsUpstreamWithoutATrustFileCarriesTheStoreReadAhead() throws Exception {
    GatewayConfig config = config("'u':{'endpoints':['https://backend.test:443']}");

    JvmTrust.loadFor(config);

    assertThat(JvmTrust.options()).isPresent();
    HttpClientOptions options = UpstreamClientOptions.of(config.upstreams().get("u"));
    assertThat(options.getTrustOptions()).isNotNull().isNotInstanceOf(PemTrustOptions.class);
    TrustManagerFactory jvm = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    jvm.init((KeyStore) null);
    X509Certificate[] expected = ((X509TrustManager) jvm.getTrustManagers()[0]).getAcceptedIssuers();
    assertThat(Arrays.asList(issuers(options.getTrustOptions(), vertx))).isNotEmpty()
        .containsExactlyInAnyOrderElementsOf(Arrays.asList(expected));
  }

  @Test
  void aTrustFileStillWins() throws Exception {
    JvmTrust.loadFor(config("'u':{'endpoints':['https://backend.test:443']}"));
    GatewayConfig config = config("'u':{'endpoints':['https://backend.test:443'],"
        + "'tls':{'trustFile':'" + dir.resolve("ca.crt") + "'}}");

    HttpClientOptions options = UpstreamClientOptions.of(config.upstreams().get("u"));

    assertThat(options.getTrustOptions()).isInstanceOf(PemTrustOptions.class);
    assertThat(((PemTrustOptions) options.getTrustOptions()).getCertPaths())
        .containsExactly(dir.resolve("ca.crt").toString());
  }

  @Test
  void theStoreReadIsTheOneTheJvmIsToldToTrust() throws Exception {
    TestCertificates ca = TestCertificates.authority("JVM Trust Test CA");
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setCertificateEntry("ca", ca.authorityCertificate().certificate());
    Path file = dir.resolve("trust.p12");
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, "changeit".toCharArray());
    }
    String[] names = {"javax.net.ssl.trustStore", "javax.net.ssl.trustStorePassword", "javax.net.ssl.trustStoreType"};
    String[] before = Arrays.stream(names).map(System::getProperty).toArray(String[]::new);
    System.setProperty(names[0], file.toString());
    System.setProperty(names[1], "changeit");
    System.setProperty(names[2], "PKCS12");
    try {
      assertThat(issuers(JvmTrust.read(), vertx)).containsExactly(ca.authorityCertificate().certificate());
    } finally {
      for (int i = 0; i < names.length; i++) {
        if (before[i] == null) {
          System.clearProperty(names[i]);
        } else {
          System.setProperty(names[i], before[i]);
        }
      }
    }
  }
}
