package io.portcullis.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.GatewayExtension;
import io.portcullis.testkit.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Upstream connections are pooled (README "How a request flows"): requests that follow one
 * another on one client connection share one upstream connection.
 */
@Timeout(90)
class UpstreamConnectionReuseTest {

  @RegisterExtension
  static final GatewayExtension harness = GatewayExtension.keepAlive();

  @Test
  void twoSequentialRequestsOnOneClientConnectionReuseOneBackendConnection() throws Exception {
    FakeBackend backend = harness.backend(req -> req.response().end("hello " + req.path()));
    TestGateway gateway = harness.proxyTo(backend.port());

    RawResponse first;
    RawResponse second;
    try (RawClient raw = new RawClient(gateway.port())) {
      raw.send("GET /one HTTP/1.1\r\nHost: gateway.test\r\n\r\n");
      first = raw.read();
      raw.send("GET /two HTTP/1.1\r\nHost: gateway.test\r\n\r\n");
      second = raw.read();
    }

    assertThat(first.status()).isEqualTo(200);
    assertThat(first.text()).isEqualTo("hello /one");
    assertThat(second.status()).isEqualTo(200);
    assertThat(second.text()).isEqualTo("hello /two");
    assertThat(backend.requests()).isEqualTo(2);
    assertThat(backend.connections()).isEqualTo(1);
  }
}
