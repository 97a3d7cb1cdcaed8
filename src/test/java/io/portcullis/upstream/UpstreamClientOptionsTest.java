package io.portcullis.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.BalancerKind;
import io.portcullis.config.BreakerConfig;
import io.portcullis.config.Endpoint;
import io.portcullis.config.RetryConfig;
import io.portcullis.config.UpstreamConfig;
import io.vertx.core.http.HttpClientOptions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UpstreamClientOptionsTest {

  private static UpstreamConfig upstream(Endpoint... endpoints) {
    return new UpstreamConfig("svc", List.of(endpoints), BalancerKind.ROUND_ROBIN, 1000, BreakerConfig.defaults(),
        RetryConfig.defaults(), Optional.empty());
  }

  @Test
  void anUpstreamOfHttpEndpointsOnlyGetsAClientWithoutTlsOptions() {
    HttpClientOptions options = UpstreamClientOptions.of(upstream(new Endpoint("http", "127.0.0.1", 9001),
        new Endpoint("http", "127.0.0.1", 9002)));

    assertThat(options.getSslOptions()).isNull();
    assertThat(options.getConnectTimeout()).isEqualTo(1000);
  }

  @Test
  void anUpstreamWithAnHttpsEndpointGetsTheTlsChecks() {
    HttpClientOptions options = UpstreamClientOptions.of(upstream(new Endpoint("http", "127.0.0.1", 9001),
        new Endpoint("https", "backend.test", 9443)));

    assertThat(options.getSslOptions()).isNotNull();
    assertThat(options.isVerifyHost()).isTrue();
    assertThat(options.isTrustAll()).isFalse();
    assertThat(options.isForceSni()).isTrue();
  }
}
