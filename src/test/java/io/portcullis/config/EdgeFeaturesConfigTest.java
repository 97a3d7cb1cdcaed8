package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.portcullis.configfile.ConfigFiles;
import io.portcullis.testkit.TestCertificates;
import io.portcullis.testkit.TestCertificates.PemPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The configuration of TLS, HTTP/2, WebSocket, rate limits, tracing and reload. */
class EdgeFeaturesConfigTest {

  @TempDir static Path dir;
  static PemPair server;
  static Path authority;

  @BeforeAll
  static void certificates() {
    TestCertificates ca = TestCertificates.authority("test CA");
    server = ca.server("gateway").writeTo(dir, "server");
    authority = dir.resolve("ca.crt");
    TestCertificates.write(authority, ca.authorityCertificate().certificate());
  }

  private static String doc(String server, String upstreamExtra, String routeExtra, String top) {
    return ("{" + (server.isEmpty() ? "" : "'server':{" + server + "},")
        + "'upstreams':{'u':{'endpoints':['https://127.0.0.1:8443']" + upstreamExtra + "}},"
        + "'routes':[{'name':'r','match':{'pathPrefix':'/'},'upstream':'u'" + routeExtra + "}]"
        + top + "}").replace('\'', '"');
  }

  private static String json(String path) {
    return path.replace("\\", "\\\\");
  }

  private static List<String> errorsOf(String json) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigFiles.parse(json));
    assertThat(e).as("expected a ConfigException for %s", json).isNotNull();
    return e.errors();
  }

  @Test
  void defaultsAreCleartextHttp1WithPropagationAndAWatchedFile() throws ConfigException {
    GatewayConfig config = ConfigFiles.parse(doc("", "", "", ""));

    assertThat(config.server().tls()).isEmpty();
    assertThat(config.server().http2()).isTrue();
    assertThat(config.server().h2c()).isFalse();
    assertThat(config.server().maxConcurrentStreams()).isEqualTo(100);
    assertThat(config.upstreams().get("u").tls()).isEqualTo(UpstreamTlsConfig.defaults());
    assertThat(config.routes().get(0).websocket()).isFalse();
    assertThat(config.routes().get(0).rateLimit()).isEmpty();
    assertThat(config.tracing()).isEqualTo(TracingConfig.defaults());
    assertThat(config.tracing().exporter()).isEqualTo(TraceExporter.NONE);
    assertThat(config.reload()).isEqualTo(new ReloadConfig(true, 1000));
  }

  @Test
  void readsEveryEdgeOption() throws ConfigException {
    GatewayConfig config = ConfigFiles.parse(doc(
        "'tls':{'certFile':'" + json(server.certFile().toString()) + "','keyFile':'"
            + json(server.keyFile().toString()) + "','engine':'jdk'},'http2':false,'h2c':true,'maxConcurrentStreams':7",
        ",'tls':{'trustFile':'" + json(authority.toString()) + "','verifyHostname':false}",
        ",'websocket':true,'rateLimit':{'requestsPerSecond':2.5,'burst':4,'key':'header:X-Api-Key'}",
        ",'tracing':{'enabled':false,'exporter':'otlp','otlpEndpoint':'http://collector:4318/v1/traces',"
            + "'serviceName':'edge','sampleRatio':0.25},'reload':{'watch':false,'pollMs':250}"));

    assertThat(config.server().tls())
        .contains(new TlsConfig(server.certFile().toString(), server.keyFile().toString(), TlsEngine.JDK));
    assertThat(config.server().http2()).isFalse();
    assertThat(config.server().h2c()).isTrue();
    assertThat(config.server().maxConcurrentStreams()).isEqualTo(7);
    assertThat(config.upstreams().get("u").tls())
        .isEqualTo(new UpstreamTlsConfig(Optional.of(authority.toString()), false));
    RouteConfig route = config.routes().get(0);
    assertThat(route.websocket()).isTrue();
    assertThat(route.rateLimit()).contains(new RateLimitConfig(2.5, 4, "header:X-Api-Key"));
    assertThat(route.rateLimit().orElseThrow().keyHeader()).contains("X-Api-Key");
    assertThat(config.tracing())
        .isEqualTo(new TracingConfig(false, TraceExporter.OTLP, "http://collector:4318/v1/traces", "edge", 0.25));
    assertThat(config.reload()).isEqualTo(new ReloadConfig(false, 250));
    assertThat(ConfigFiles.parse(ConfigLoader.toJson(config).encode())).isEqualTo(config);
  }

  @Test
  void theTlsEngineDefaultsToOpenSsl() throws ConfigException {
    GatewayConfig config = ConfigFiles.parse(doc("'tls':{'certFile':'" + json(server.certFile().toString())
        + "','keyFile':'" + json(server.keyFile().toString()) + "'}", "", "", ""));

    assertThat(config.server().tls().orElseThrow().engine()).isEqualTo(TlsEngine.OPENSSL);
    assertThat(ConfigLoader.toJson(config).getJsonObject("server").getJsonObject("tls").getString("engine"))
        .isEqualTo("openssl");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "unknown engine | \"boringssl\" | server.tls.engine: must be one of \"openssl\", \"jdk\", got \"boringssl\"",
      "wrong case | \"OpenSSL\" | server.tls.engine: must be one of \"openssl\", \"jdk\", got \"OpenSSL\"",
      "a number | 1 | server.tls.engine: must be one of \"openssl\", \"jdk\", got 1",
  })
  void aBadTlsEngineIsAnErrorAtItsPath(String story, String engine, String error) {
    assertThat(errorsOf(doc("'tls':{'certFile':'" + json(server.certFile().toString()) + "','keyFile':'"
        + json(server.keyFile().toString()) + "','engine':" + engine + "}", "", "", ""))).containsExactly(error);
  }

  @Test
  void aRateLimitsBurstDefaultsToTheRateRoundedUpAndItsKeyToTheClientAddress() throws ConfigException {
    RateLimitConfig limit = ConfigFiles.parse(doc("", "", ",'rateLimit':{'requestsPerSecond':2.5}", ""))
        .routes().get(0).rateLimit().orElseThrow();

    assertThat(limit).isEqualTo(new RateLimitConfig(2.5, 3, "ip"));
    assertThat(limit.keyHeader()).isEmpty();
    assertThat(ConfigFiles.parse(doc("", "", ",'rateLimit':{'requestsPerSecond':0.1}", ""))
        .routes().get(0).rateLimit().orElseThrow().burst()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "rate missing | {} | routes[0].rateLimit.requestsPerSecond: required",
      "rate zero | {'requestsPerSecond':0} | routes[0].rateLimit.requestsPerSecond: must be > 0, got 0",
      "rate a string | {'requestsPerSecond':'10'} | routes[0].rateLimit.requestsPerSecond: must be a number, got \"10\"",
      "burst zero | {'requestsPerSecond':1,'burst':0} | routes[0].rateLimit.burst: must be between 1 and 1000000000, got 0",
      "key unknown | {'requestsPerSecond':1,'key':'user'} | routes[0].rateLimit.key: must be \"ip\" or \"header:NAME\" with NAME a header field name, got \"user\"",
      "key header empty | {'requestsPerSecond':1,'key':'header:'} | routes[0].rateLimit.key: must be \"ip\" or \"header:NAME\" with NAME a header field name, got \"header:\"",
      "unknown member | {'requestsPerSecond':1,'per':'minute'} | routes[0].rateLimit.per: unknown key",
      "not an object | 10 | routes[0].rateLimit: must be an object, got 10",
  })
  void badRateLimitsAreErrorsAtTheirPath(String story, String rateLimit, String error) {
    assertThat(errorsOf(doc("", "", ",'rateLimit':" + rateLimit, ""))).containsExactly(error);
  }

  @Test
  void websocketIsForProxyRoutesOnly() {
    String aggregate = ("{'upstreams':{'u':{'endpoints':['http://127.0.0.1:1']}},"
        + "'routes':[{'name':'a','match':{'path':'/a'},'websocket':true,'aggregate':[{'upstream':'u','path':'/x','as':'x'}]}]}")
        .replace('\'', '"');
    assertThat(errorsOf(aggregate))
        .containsExactly("routes[0].websocket: applies to proxy routes only (this route has \"aggregate\")");
    assertThat(errorsOf(doc("", "", ",'websocket':'yes'", "")))
        .containsExactly("routes[0].websocket: must be a boolean, got \"yes\"");
  }

  @Test
  void badCertificateFilesArePathQualifiedErrors() throws Exception {
    Path garbage = dir.resolve("garbage.pem");
    Files.writeString(garbage, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n");
    Path text = dir.resolve("text.pem");
    Files.writeString(text, "hello");
    Path badKey = dir.resolve("bad.key");
    Files.writeString(badKey, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    String missing = dir.resolve("missing.pem").toString();

    assertThat(errorsOf(doc("'tls':{'certFile':'" + json(missing) + "','keyFile':'" + json(text.toString()) + "'}",
        "", "", ""))).containsExactly(
            "server.tls.certFile: no such file \"" + missing + "\"",
            "server.tls.keyFile: no PEM private key (-----BEGIN PRIVATE KEY-----) in \"" + text + "\"");
    assertThat(errorsOf(doc("'tls':{'certFile':'" + json(garbage.toString()) + "','keyFile':'"
        + json(badKey.toString()) + "'}", "", "", "")))
        .satisfiesExactly(
            first -> assertThat(first).startsWith("server.tls.certFile: invalid certificate in \"" + garbage + "\""),
            second -> assertThat(second).isEqualTo("server.tls.keyFile: invalid private key in \"" + badKey
                + "\": not an RSA, EC or EdDSA PKCS#8 key"));
    assertThat(errorsOf(doc("'tls':{'certFile':'" + json(server.keyFile().toString()) + "'}", "", "", "")))
        .containsExactly(
            "server.tls.certFile: no PEM certificate (-----BEGIN CERTIFICATE-----) in \"" + server.keyFile() + "\"",
            "server.tls.keyFile: required");
    assertThat(errorsOf(doc("", ",'tls':{'trustFile':'" + json(text.toString()) + "'}", "", "")))
        .containsExactly("upstreams.u.tls.trustFile: no PEM certificate (-----BEGIN CERTIFICATE-----) in \""
            + text + "\"");
  }

  @Test
  void aKeyThatDoesNotBelongToTheCertificateIsAnErrorAtKeyFileListedWithTheOthers() {
    PemPair other = TestCertificates.authority("other CA").server("other").writeTo(dir, "other");

    assertThat(errorsOf(doc("'tls':{'certFile':'" + json(server.certFile().toString()) + "','keyFile':'"
        + json(other.keyFile().toString()) + "'},'maxHops':0", "", "", "")))
        .containsExactly(
            "server.tls.keyFile: does not match the certificate in server.tls.certFile",
            "server.maxHops: must be >= 1, got 0");
  }

  @Test
  void aKeyTheListenerCannotServeIsAnErrorAtKeyFile() throws Exception {
    Path ed25519 = dir.resolve("ed25519.key");
    TestCertificates.write(ed25519, java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate());

    assertThat(errorsOf(doc("'tls':{'certFile':'" + json(server.certFile().toString()) + "','keyFile':'"
        + json(ed25519.toString()) + "'}", "", "", "")))
        .singleElement().asString()
        .startsWith("server.tls.keyFile: invalid private key in \"" + ed25519 + "\" (an RSA or EC key is needed)");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "streams zero | 'server':{'maxConcurrentStreams':0} | server.maxConcurrentStreams: must be >= 1, got 0",
      "h2c a string | 'server':{'h2c':'on'} | server.h2c: must be a boolean, got \"on\"",
      "exporter | 'tracing':{'exporter':'jaeger'} | tracing.exporter: must be one of \"none\", \"otlp\", got \"jaeger\"",
      "endpoint | 'tracing':{'otlpEndpoint':'collector:4318'} | tracing.otlpEndpoint: must be an http(s) URL like \"http://host:4318/v1/traces\", got \"collector:4318\"",
      "ratio | 'tracing':{'sampleRatio':2} | tracing.sampleRatio: must be between 0 and 1, got 2",
      "service | 'tracing':{'serviceName':''} | tracing.serviceName: must not be empty",
      "poll | 'reload':{'pollMs':10} | reload.pollMs: must be >= 100, got 10",
      "watch | 'reload':{'watch':1} | reload.watch: must be a boolean, got 1",
  })
  void badTopLevelEdgeOptionsAreErrorsAtTheirPath(String story, String member, String error) {
    String json = ("{" + member + ",'upstreams':{'u':{'endpoints':['http://127.0.0.1:1']}},"
        + "'routes':[{'name':'r','match':{'pathPrefix':'/'},'upstream':'u'}]}").replace('\'', '"');
    assertThat(errorsOf(json)).containsExactly(error);
  }
}
