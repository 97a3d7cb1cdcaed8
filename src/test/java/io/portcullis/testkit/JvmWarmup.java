package io.portcullis.testkit;

import io.vertx.core.http.HttpMethod;

/**
 * Runs a few requests through a throw-away gateway once per JVM, so that timing assertions of
 * the first test to run do not measure class loading and JIT warm-up (a cold first request can
 * take hundreds of milliseconds on a small machine). Call it from {@code @BeforeAll}.
 */
public final class JvmWarmup {

  private static boolean done;

  private JvmWarmup() {
  }

  /** Warms up once; later calls return at once. */
  public static synchronized void once() {
    if (done) {
      return;
    }
    try (FakeBackend backend = FakeBackend.start(req -> req.body().onSuccess(b -> req.response().end("warm")));
         TestGateway gateway = TestGateway.start(TestGateway.proxyConfig(null, backend.port()));
         GatewayClient client = GatewayClient.create(false)) {
      for (int i = 0; i < 20; i++) {
        client.request(i % 2 == 0 ? HttpMethod.GET : HttpMethod.POST, gateway.port(), "/warm-up/" + i,
            i % 2 == 0 ? null : "{\"warm\":true}");
      }
    }
    done = true;
  }
}
