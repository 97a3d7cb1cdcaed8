package io.portcullis.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portcullis.config.Endpoint;
import io.portcullis.config.GatewayConfig;
import io.portcullis.configfile.ConfigFiles;
import io.portcullis.observe.GatewayMetrics;
import io.portcullis.resilience.Scheduler;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.FakeTicker;
import io.vertx.core.Vertx;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Snapshots made by DNS discovery and by reloads, installed one over the other: none loses what
 * the other brought.
 */
class DiscoveryInstallTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  private static GatewayConfig config(long timeoutMs) throws Exception {
    return ConfigFiles.parse(("{'upstreams':{'svc':{'endpoints':['http://svc.test:80'],'discovery':{'dns':true}}},"
        + "'routes':[{'name':'r','match':{'pathPrefix':'/'},'upstream':'svc','timeoutMs':" + timeoutMs + "}]}")
        .replace('\'', '"'));
  }

  private GatewayRuntime runtime(GatewayConfig config) {
    return new GatewayRuntime(vertx, config, new FakeTicker(), Scheduler.of(vertx), GatewayOptions.THREAD_LOCAL_RANDOM,
        new GatewayMetrics(new SimpleMeterRegistry()), name -> null);
  }

  private static List<String> endpoints(RuntimeSnapshot snapshot) {
    return Arrays.stream(snapshot.upstreams().get("svc").endpoints()).map(e -> e.address().toString()).toList();
  }

  @Test
  void aDnsAnswerIsPublishedAsANewSnapshotOfTheSameConfiguration() throws Exception {
    GatewayConfig config = config(1000);
    GatewayRuntime runtime = runtime(config);
    assertThat(endpoints(runtime.snapshot())).isEmpty();

    runtime.discovered().update("svc", new Endpoint("http", "svc.test", 80), List.of("10.0.0.1", "10.0.0.2"));
    Await.result(runtime.refresh());

    assertThat(runtime.snapshot().generation()).isEqualTo(2);
    assertThat(runtime.snapshot().config()).isSameAs(config);
    assertThat(endpoints(runtime.snapshot())).containsExactly("http://10.0.0.1:80", "http://10.0.0.2:80");
  }

  @Test
  void aReloadPreparedBeforeADnsAnswerIsBuiltAgainOverIt() throws Exception {
    GatewayRuntime runtime = runtime(config(1000));
    RuntimeSnapshot prepared = runtime.prepare(config(2000)); // a reload, prepared off the event loops

    runtime.discovered().update("svc", new Endpoint("http", "svc.test", 80), List.of("10.0.0.1"));
    Await.result(runtime.refresh()); // discovery installs first
    Await.result(runtime.install(prepared));

    RuntimeSnapshot current = runtime.snapshot();
    assertThat(current.generation()).isEqualTo(3);
    assertThat(current.config().routes().get(0).timeoutMs()).hasValue(2000L);
    assertThat(endpoints(current)).as("the address found meanwhile").containsExactly("http://10.0.0.1:80");
  }

  @Test
  void aReloadPreparedOverTheCurrentSnapshotIsInstalledAsItIs() throws Exception {
    GatewayRuntime runtime = runtime(config(1000));
    RuntimeSnapshot prepared = runtime.prepare(config(2000));

    Await.result(runtime.install(prepared));

    assertThat(runtime.snapshot()).isSameAs(prepared);
  }
}
