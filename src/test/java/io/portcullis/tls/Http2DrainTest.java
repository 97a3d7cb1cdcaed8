package io.portcullis.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.health.Readiness;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.TestCertificates;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.GoAway;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Timeout;

/**
 * The shutdown drain over HTTP/2 (README "Signals and shutdown"): when readiness turns DOWN, every HTTP/2
 * connection gets a graceful {@code GOAWAY} (so the client moves away) while its in-flight
 * streams complete normally.
 */
@Timeout(120)
class Http2DrainTest {

  @Test
  void http2ClientGetsGoAwayWhenTheDrainStartsAndItsInFlightStreamCompletes(@TempDir Path dir) throws Exception {
    TestCertificates ca = TestCertificates.authority("Drain CA");
    Path caFile = dir.resolve("ca.crt");
    TestCertificates.write(caFile, ca.authorityCertificate().certificate());
    TestCertificates.PemPair pem = ca.server("gateway").writeTo(dir, "gateway");
    Promise<Void> upstreamReached = Promise.promise();
    try (FakeBackend backend = FakeBackend.start(req -> {
           upstreamReached.tryComplete();
           // Answer only well after the drain started.
           req.response().setChunked(true).write("slow ");
           Vertx.currentContext().owner().setTimer(1_000, id -> req.response().end("done"));
         });
         TestGateway gateway = TestGateway.start(TestGateway.proxyConfig(null, backend.port())
             .put("server", new JsonObject().put("tls", new JsonObject()
                 .put("certFile", pem.certFile().toString()).put("keyFile", pem.keyFile().toString())))
             .put("shutdown", new JsonObject().put("drainMs", 3_000).put("graceMs", 5_000)));
         EdgeClient client = EdgeClient.tls(caFile, HttpVersion.HTTP_2)) {
      Promise<GoAway> goAway = Promise.promise();
      Promise<Future<String>> inFlight = Promise.promise();
      client.vertx().getOrCreateContext().runOnContext(v -> client.client()
          .connect(new HttpConnectOptions().setHost("localhost").setPort(gateway.port()))
          .onFailure(inFlight::fail)
          .onSuccess(connection -> {
            connection.goAwayHandler(goAway::tryComplete);
            inFlight.complete(get(connection, "/slow"));
          }));
      Future<String> response = Await.result(inFlight.future());
      Await.result(upstreamReached.future());

      Future<Void> shutdown = gateway.gateway().shutdown();
      long drainStart = System.nanoTime();
      GoAway received = Await.result(goAway.future(), 2_000);

      assertThat((System.nanoTime() - drainStart) / 1_000_000L).as("GOAWAY before the drain ends").isLessThan(3_000);
      assertThat(received.getErrorCode()).isEqualTo(0L);
      assertThat(gateway.gateway().readiness().phase()).isEqualTo(Readiness.Phase.DRAINING);
      assertThat(Await.result(response, 10_000)).isEqualTo("200 slow done");
      Await.result(shutdown, 20_000);
    }
  }

  private static Future<String> get(HttpClientConnection connection, String path) {
    return connection.request(new RequestOptions().setURI(path).setHost("localhost"))
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(body -> resp.statusCode() + " " + body));
  }
}
