package io.portcullis.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.Closer;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.GatewayClient;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Loops and {@code Max-Forwards} through a real gateway (README "Errors", 508
 * {@code loop_detected}; "How a request flows"): a gateway whose upstream sends requests back to
 * it, {@code Via} chains written by clients, and {@code OPTIONS} with {@code Max-Forwards}.
 */
@Timeout(60)
class HopsIntegrationTest {

  @RegisterExtension
  final Closer toClose = new Closer();

  private final GatewayClient client = toClose.add(GatewayClient.create(true));

  @Test
  void aRealForwardingLoopEndsWith508AfterMaxHopsRounds() {
    AtomicInteger gatewayPort = new AtomicInteger();
    AtomicInteger rounds = new AtomicInteger();
    // An upstream that is itself a proxy back to the gateway: every header goes back as it came.
    FakeBackend[] loop = new FakeBackend[1];
    loop[0] = toClose.add(FakeBackend.start(req -> {
      rounds.incrementAndGet();
      HttpClient http = loop[0].vertx().createHttpClient();
      MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(req.headers());
      headers.remove("Host");
      http.request(new RequestOptions().setMethod(req.method()).setHost("127.0.0.1").setPort(gatewayPort.get())
              .setURI(req.uri()).setHeaders(headers))
          .compose(out -> out.send().compose(in -> in.body().map(body -> {
            req.response().setStatusCode(in.statusCode()).end(body);
            return null;
          })))
          .onFailure(err -> req.response().setStatusCode(599).end(err.toString()))
          .onComplete(ar -> http.close());
    }));
    TestGateway gateway = toClose.add(TestGateway.start(config(loop[0].port(), "'maxHops': 3")));
    gatewayPort.set(gateway.port());

    GatewayClient.Reply reply = client.get(gateway.port(), "/loop");

    assertThat(reply.status()).isEqualTo(508);
    assertThat(reply.errorCode()).isEqualTo("loop_detected");
    assertThat(rounds.get()).as("each pass added one Via entry; the third gateway pass refused").isEqualTo(3);
  }

  @Test
  void aRequestThatAlreadyPassedMaxHopsGatewaysIsRefusedAndNothingIsSentUpstream() {
    FakeBackend backend = toClose.add(FakeBackend.ok("ok"));
    TestGateway gateway = toClose.add(TestGateway.start(config(backend.port(), "")));
    String tenHops = String.join(", ", java.util.Collections.nCopies(10, "1.1 portcullis"));

    GatewayClient.Reply loop = client.get(gateway.port(), "/x", "Via", tenHops);
    GatewayClient.Reply nine = client.get(gateway.port(), "/x", "Via", "1.0 portcullis, " + "2 portcullis, ".repeat(8)
        + "1.1 nginx");
    GatewayClient.Reply sentinel = client.get(gateway.port(), "/x");

    assertThat(loop.status()).isEqualTo(508);
    assertThat(loop.errorCode()).isEqualTo("loop_detected");
    assertThat(nine.status()).isEqualTo(200);
    assertThat(sentinel.status()).isEqualTo(200);
    assertThat(backend.requests()).as("only the nine-hop request and the sentinel").isEqualTo(2);
    assertThat(backend.seen().get(0).header("Via")).endsWith("1.1 nginx, 1.1 portcullis");
  }

  @Test
  void aLoopIsAnsweredWithTheReasonPhraseLoopDetected() throws Exception {
    FakeBackend backend = toClose.add(FakeBackend.ok("ok"));
    TestGateway gateway = toClose.add(TestGateway.start(config(backend.port(), "'maxHops': 1")));

    io.portcullis.testkit.RawHttp.Reply reply = io.portcullis.testkit.RawHttp.exchange(gateway.port(),
        "GET /x HTTP/1.1\r\nHost: gw\r\nVia: 1.1 portcullis\r\nConnection: close\r\n\r\n", 5_000);

    assertThat(reply.statusLine()).isEqualTo("HTTP/1.1 508 Loop Detected");
    assertThat(backend.requests()).isZero();
  }

  @Test
  void optionsWithMaxForwardsZeroIsAnsweredByTheGatewayAndOtherValuesArriveDecremented() {
    FakeBackend backend = toClose.add(FakeBackend.ok("from upstream"));
    JsonObject config = config(backend.port(), "");
    config.getJsonArray("routes").getJsonObject(0).getJsonObject("match")
        .put("methods", new io.vertx.core.json.JsonArray().add("GET").add("OPTIONS").add("POST"));
    TestGateway gateway = toClose.add(TestGateway.start(config));

    GatewayClient.Reply zero = client.request(HttpMethod.OPTIONS, gateway.port(), "/x", null, "Max-Forwards", "0");
    GatewayClient.Reply five = client.request(HttpMethod.OPTIONS, gateway.port(), "/x", null, "Max-Forwards", "5");
    GatewayClient.Reply get = client.request(HttpMethod.GET, gateway.port(), "/x", null, "Max-Forwards", "0");

    assertThat(zero.status()).isEqualTo(200);
    assertThat(zero.header("Allow")).isEqualTo("GET, OPTIONS, POST");
    assertThat(zero.body()).isEmpty();
    assertThat(five.body()).isEqualTo("from upstream");
    assertThat(get.body()).isEqualTo("from upstream");
    assertThat(backend.seen()).extracting(seen -> seen.method() + " " + seen.header("Max-Forwards"))
        .containsExactly("OPTIONS 4", "GET 0");
  }

  @Test
  void optionsWithMaxForwardsZeroOnARouteWithoutOptionsIsAnsweredWithThatRoutesMethods() {
    FakeBackend backend = toClose.add(FakeBackend.ok("from upstream"));
    JsonObject config = config(backend.port(), "");
    config.getJsonArray("routes").getJsonObject(0).getJsonObject("match")
        .put("methods", new io.vertx.core.json.JsonArray().add("GET").add("POST"));
    TestGateway gateway = toClose.add(TestGateway.start(config));

    GatewayClient.Reply zero = client.request(HttpMethod.OPTIONS, gateway.port(), "/x", null, "Max-Forwards", "0");
    GatewayClient.Reply one = client.request(HttpMethod.OPTIONS, gateway.port(), "/x", null, "Max-Forwards", "1");

    assertThat(zero.status()).isEqualTo(200);
    assertThat(zero.header("Allow")).isEqualTo("GET, POST");
    assertThat(zero.body()).isEmpty();
    assertThat(one.status()).as("to be forwarded, an OPTIONS must match a route that takes it").isEqualTo(404);
    assertThat(backend.requests()).isZero();
  }

  /** One route {@code /} to {@code 127.0.0.1:port}, no retries; {@code server} JSON merged in. */
  private static JsonObject config(int port, String server) {
    return new JsonObject(("{'server': {" + server + "}, 'upstreams': {'b': {'endpoints': ['http://127.0.0.1:" + port
        + "'], 'retry': {'maxAttempts': 1}}}, 'routes': [{'name': 'all', 'match': {'pathPrefix': '/'}, 'upstream': 'b'}]}")
        .replace('\'', '"'));
  }
}
