package io.portcullis.upstream.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.Endpoint;
import io.portcullis.config.GatewayConfig;
import io.portcullis.config.UpstreamConfig;
import io.portcullis.configfile.ConfigFiles;
import java.util.List;
import org.junit.jupiter.api.Test;

class DiscoveredEndpointsTest {

  private final DiscoveredEndpoints registry = new DiscoveredEndpoints();

  private static GatewayConfig config(String endpoints, boolean dns) throws Exception {
    return ConfigFiles.parse(("{'upstreams':{'svc':{'endpoints':[" + endpoints + "],'discovery':{'dns':" + dns
        + "}}},'routes':[{'name':'r','match':{'pathPrefix':'/'},'upstream':'svc'}]}").replace('\'', '"'));
  }

  private static UpstreamConfig svc(GatewayConfig config) {
    return config.upstreams().get("svc");
  }

  @Test
  void withoutDiscoveryAnUpstreamHasItsConfiguredEndpoints() throws Exception {
    UpstreamConfig upstream = svc(config("'http://a.test:80','http://b.test:81'", false));
    registry.update("svc", new Endpoint("http", "a.test", 80), List.of("10.0.0.1"));

    assertThat(registry.endpoints(upstream)).isEqualTo(upstream.endpoints());
  }

  @Test
  void eachAddressOfEachNameIsAnEndpointAddressedToItsNameInConfiguredOrder() throws Exception {
    UpstreamConfig upstream = svc(config("'http://a.test:80','http://192.0.2.9:82','https://b.test:81'", true));

    assertThat(registry.endpoints(upstream)).as("until a first answer: the literal only")
        .containsExactly(new Endpoint("http", "192.0.2.9", 82));

    assertThat(registry.update("svc", new Endpoint("https", "b.test", 81), List.of("10.0.0.3", "2001:db8:0:0:0:0:0:7")))
        .isTrue();
    assertThat(registry.update("svc", new Endpoint("http", "a.test", 80), List.of("10.0.0.1", "10.0.0.2"))).isTrue();
    List<Endpoint> endpoints = registry.endpoints(upstream);

    assertThat(endpoints).extracting(Endpoint::toString).containsExactly("http://10.0.0.1:80", "http://10.0.0.2:80",
        "http://192.0.2.9:82", "https://10.0.0.3:81", "https://[2001:db8::7]:81");
    assertThat(endpoints).extracting(Endpoint::hostName).containsExactly("a.test", "a.test", "192.0.2.9", "b.test",
        "b.test");
    assertThat(endpoints.get(2).discoveredFrom()).isEmpty();
  }

  @Test
  void anAddressTwoNamesShareIsOneEndpointTheFirstNames() throws Exception {
    UpstreamConfig upstream = svc(config("'http://a.test:80','http://b.test:80'", true));
    registry.update("svc", new Endpoint("http", "a.test", 80), List.of("10.0.0.1"));
    registry.update("svc", new Endpoint("http", "b.test", 80), List.of("10.0.0.1", "10.0.0.2"));

    assertThat(registry.endpoints(upstream)).extracting(e -> e + " " + e.hostName())
        .containsExactly("http://10.0.0.1:80 a.test", "http://10.0.0.2:80 b.test");
  }

  @Test
  void theSameAnswerAgainIsNoChange() {
    Endpoint a = new Endpoint("http", "a.test", 80);
    assertThat(registry.update("svc", a, List.of("10.0.0.1"))).isTrue();
    assertThat(registry.update("svc", a, List.of("10.0.0.1"))).isFalse();
    assertThat(registry.update("svc", a, List.of("10.0.0.1", "10.0.0.2"))).isTrue();
  }

  @Test
  void retainForgetsNamesAndUpstreamsTheConfigurationNoLongerResolves() throws Exception {
    GatewayConfig both = config("'http://a.test:80','http://b.test:80'", true);
    registry.update("svc", new Endpoint("http", "a.test", 80), List.of("10.0.0.1"));
    registry.update("svc", new Endpoint("http", "b.test", 80), List.of("10.0.0.2"));
    registry.update("gone", new Endpoint("http", "c.test", 80), List.of("10.0.0.3"));

    registry.retain(config("'http://b.test:80'", true));

    assertThat(registry.endpoints(svc(both))).extracting(Endpoint::toString).containsExactly("http://10.0.0.2:80");
    assertThat(registry.update("gone", new Endpoint("http", "c.test", 80), List.of("10.0.0.3"))).as("forgotten").isTrue();
  }
}
