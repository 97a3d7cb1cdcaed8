package io.portcullis.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.resilience.Ticker;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.GatewayClient;
import io.portcullis.testkit.GatewayExtension;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * How often a proxied request reads the gateway's clock: once for the event of its head, once for
 * the milliseconds left that its attempt sends upstream (a reading of that moment), and once for
 * the read of the upstream connection that brings the response's head and, for a small body, its
 * end (resilience.EventClock; lifecycle.ReadEvents). It read it once for each of the request's
 * start, deadline, timer-wheel slot, retry-budget second, attempt start, expiry check, deadline
 * header, retry decision, attempt end and request end (10 readings), and later once more when
 * the response ended (4 readings). Counted on the clock the gateway is given, over sequential requests on one event
 * loop, so that the few readings of the gateway's own timers between them are spread over many
 * requests.
 */
class ClockReadingsTest {

  private static final int REQUESTS = 300;

  @RegisterExtension
  static final GatewayExtension harness = GatewayExtension.keepAlive();

  private final GatewayClient client = harness.client();

  @Test
  void aProxiedGetReadsTheClockOncePerEventNotOncePerUse() {
    FakeBackend backend = harness.okBackend("{\"ok\":true}");
    AtomicLong readings = new AtomicLong();
    Ticker system = Ticker.system();
    Ticker counting = () -> {
      readings.incrementAndGet();
      return system.nanos();
    };
    JsonObject config = TestGateway.proxyConfig(null, backend.port());
    config.put("server", new JsonObject().put("instances", 1));
    TestGateway gateway = harness.start(config, GatewayOptions.defaults().withTicker(counting));
    for (int i = 0; i < 20; i++) {
      assertThat(client.get(gateway.port(), "/warm").status()).isEqualTo(200);
    }

    long before = readings.get();
    for (int i = 0; i < REQUESTS; i++) {
      assertThat(client.get(gateway.port(), "/r/" + i).status()).isEqualTo(200);
    }
    double perRequest = (double) (readings.get() - before) / REQUESTS;
    LoggerFactory.getLogger(ClockReadingsTest.class).info("{} clock readings per proxied GET", perRequest);

    // Three per request; the gateway's own timers add a handful over the whole run.
    assertThat(perRequest).as("clock readings per proxied GET").isBetween(3.0, 3.2);
  }
}
