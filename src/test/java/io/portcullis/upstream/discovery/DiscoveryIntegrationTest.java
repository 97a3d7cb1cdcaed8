package io.portcullis.upstream.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.portcullis.testkit.AdminProbe;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.Closer;
import io.portcullis.testkit.DnsTestServer;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.GatewayClient;
import io.portcullis.testkit.LogCapture;
import io.portcullis.testkit.TestCertificates;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * DNS discovery through a real gateway: {@link DnsTestServer} answers for {@value #NAME}, whose
 * addresses are real backends on {@code 127.0.0.2..4} (one port, as the addresses of one service
 * are), and the answers change while traffic flows.
 */
@Timeout(120)
class DiscoveryIntegrationTest {

  private static final String NAME = "svc.portcullis.test";
  private static final long REFRESH_MS = 100;
  private static final List<String> HOSTS = List.of("127.0.0.2", "127.0.0.3", "127.0.0.4");

  @RegisterExtension
  final Closer toClose = new Closer();

  private final DnsTestServer dns = toClose.add(DnsTestServer.start());
  private final GatewayClient client = toClose.add(GatewayClient.create(true));
  /** Requests held open by a backend, by backend host: completed by the test. */
  private final Map<String, List<HttpServerRequest>> held = new ConcurrentHashMap<>();

  @Test
  void untilAFirstAnswerRequestsGet502AndStartUpDoesNotWaitForDns() {
    dns.answer(NAME, new DnsTestServer.Silence());
    List<FakeBackend> backends = backends();
    TestGateway gateway = toClose.add(TestGateway.start(config(backends.get(0).port(), "")));

    GatewayClient.Reply before = client.get(gateway.port(), "/who");
    assertThat(before.status()).isEqualTo(502);
    assertThat(before.errorCode()).isEqualTo("upstream_unavailable");
    assertThat(before.json().getString("upstream")).isEqualTo("svc");
    assertThat(backends).allSatisfy(b -> assertThat(b.requests()).isZero());

    dns.answer(NAME, "127.0.0.2");
    Await.until("the first answer applied", 20_000, () -> client.get(gateway.port(), "/who").status() == 200);
    assertThat(client.get(gateway.port(), "/who").body()).isEqualTo("127.0.0.2");
  }

  @Test
  void addedAddressesGetTrafficAndRemovedOnesDrainThenGo() {
    dns.answer(NAME, "127.0.0.2");
    List<FakeBackend> backends = backends();
    int port = backends.get(0).port();
    TestGateway gateway = toClose.add(TestGateway.start(config(port, "")));
    Await.until("127.0.0.2 serves", 20_000, () -> "127.0.0.2".equals(client.get(gateway.port(), "/who").body()));

    dns.answer(NAME, "127.0.0.2", "127.0.0.3");
    Set<String> reached = new HashSet<>();
    Await.until("both addresses get traffic", 20_000, () -> {
      reached.add(client.get(gateway.port(), "/who").body());
      return reached.containsAll(List.of("127.0.0.2", "127.0.0.3"));
    });
    JsonArray endpoints = AdminProbe.upstreams(gateway.adminPort()).getJsonObject("svc").getJsonArray("endpoints");
    assertThat(endpoints.stream().map(e -> ((JsonObject) e).getString("endpoint")))
        .containsExactly("http://127.0.0.2:" + port, "http://127.0.0.3:" + port);
    assertThat(endpoints.stream().map(e -> ((JsonObject) e).getString("discoveredFrom"))).containsOnly(NAME);
    assertThat(endpoints.stream().map(e -> ((JsonObject) e).getString("circuit"))).containsOnly("closed");

    // A slow request in flight on 127.0.0.3 when it leaves DNS.
    Future<GatewayClient.Reply> slow = slowRequestOn(gateway, "127.0.0.3");
    dns.answer(NAME, "127.0.0.2");
    Await.until("127.0.0.3 draining", 20_000, () -> endpointsOf(gateway).equals(
        List.of("http://127.0.0.2:" + port, "http://127.0.0.3:" + port + " draining")));
    int seenBy3 = backends.get(1).requests();
    for (int i = 0; i < 20; i++) {
      assertThat(client.get(gateway.port(), "/who").body()).isEqualTo("127.0.0.2");
    }
    assertThat(backends.get(1).requests()).as("no new request for the removed address").isEqualTo(seenBy3);

    release("127.0.0.3");
    GatewayClient.Reply finished = Await.result(slow);
    assertThat(finished.status()).isEqualTo(200);
    assertThat(finished.body()).isEqualTo("slow from 127.0.0.3");
    Await.until("127.0.0.3 gone", 20_000, () -> endpointsOf(gateway).equals(List.of("http://127.0.0.2:" + port)));
  }

  @Test
  void aFailedOrEmptyResolutionKeepsTheLastKnownAddressesWithOneWarning() {
    dns.answer(NAME, "127.0.0.2", "127.0.0.3");
    List<FakeBackend> backends = backends();
    TestGateway gateway = toClose.add(TestGateway.start(config(backends.get(0).port(), "")));
    Await.until("both serve", 20_000, () -> endpointsOf(gateway).size() == 2);

    try (LogCapture log = LogCapture.of(DnsDiscovery.class.getName())) {
      for (DnsTestServer.Answer failure : List.of(new DnsTestServer.Code(DnsResponseCode.NXDOMAIN),
          new DnsTestServer.Code(DnsResponseCode.NOERROR), new DnsTestServer.Code(DnsResponseCode.SERVFAIL),
          new DnsTestServer.Garbage())) {
        dns.answer(NAME, failure);
        int queries = dns.queries(NAME);
        // Several refreshes with this answer (A and AAAA each time), traffic flowing throughout.
        Await.until("three more resolutions", 20_000, () -> {
          assertThat(client.get(gateway.port(), "/who").status()).isEqualTo(200);
          return dns.queries(NAME) >= queries + 6;
        });
        assertThat(endpointsOf(gateway)).hasSize(2);
      }
      assertThat(log.events().stream().filter(e -> e.getLevel() == Level.WARN)).hasSize(1);
    }
    Set<String> reached = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      reached.add(client.get(gateway.port(), "/who").body());
    }
    assertThat(reached).containsExactlyInAnyOrder("127.0.0.2", "127.0.0.3");
  }

  @Test
  void eachAddressHasItsOwnHealthChecksAndRequestsCarryTheNameAsHost() {
    dns.answer(NAME, "127.0.0.2", "127.0.0.3");
    List<FakeBackend> backends = FakeBackend.onOnePort(HOSTS.subList(0, 2), host -> req -> {
      if (req.path().equals("/health")) {
        req.response().setStatusCode(host.equals("127.0.0.3") ? 503 : 200).end();
      } else {
        req.response().end(host);
      }
    });
    backends.forEach(toClose::add);
    int port = backends.get(0).port();
    TestGateway gateway = toClose.add(TestGateway.start(config(port,
        "'healthCheck': {'path': '/health', 'intervalMs': 100, 'timeoutMs': 90, 'unhealthyThreshold': 1}")));

    Await.until("127.0.0.3 unhealthy, 127.0.0.2 healthy", 20_000, () -> {
      JsonArray endpoints = AdminProbe.upstreams(gateway.adminPort()).getJsonObject("svc").getJsonArray("endpoints");
      Map<String, String> health = endpoints.stream().map(e -> (JsonObject) e)
          .collect(Collectors.toMap(e -> e.getString("endpoint"), e -> e.getString("health")));
      return "unhealthy".equals(health.get("http://127.0.0.3:" + port))
          && "healthy".equals(health.get("http://127.0.0.2:" + port));
    });
    for (int i = 0; i < 10; i++) {
      assertThat(client.get(gateway.port(), "/who").body()).isEqualTo("127.0.0.2");
    }
    for (FakeBackend backend : backends) {
      assertThat(backend.seen()).isNotEmpty().allSatisfy(seen ->
          assertThat(seen.header("Host")).isEqualTo(NAME + ":" + port));
    }
  }

  @Test
  void tlsToADiscoveredAddressChecksTheCertificateForTheName(@TempDir Path dir) {
    TestCertificates ca = TestCertificates.authority("Discovery Test CA");
    Path caFile = dir.resolve("ca.pem");
    TestCertificates.write(caFile, ca.authorityCertificate().certificate());
    // The certificate names the service, not its addresses: only SNI and a check by name pass.
    TestCertificates.PemPair pem = ca.serverFor(NAME, NAME).writeTo(dir, "svc");
    HttpServerOptions tls = new HttpServerOptions().setSsl(true).setSni(true).setKeyCertOptions(
        new PemKeyCertOptions().setCertPath(pem.certFile().toString()).setKeyPath(pem.keyFile().toString()));
    Map<String, String> sniSeen = new ConcurrentHashMap<>();
    List<FakeBackend> backends = FakeBackend.onOnePort(tls, HOSTS.subList(0, 1), host -> req -> {
      sniSeen.put(host, String.valueOf(req.connection().indicatedServerName()));
      req.response().end("tls " + host);
    });
    backends.forEach(toClose::add);
    dns.answer(NAME, "127.0.0.2");
    int port = backends.get(0).port();
    JsonObject config = config(port, "'tls': {'trustFile': '" + caFile + "'}");
    config.getJsonObject("upstreams").getJsonObject("svc").put("endpoints", new JsonArray().add("https://" + NAME + ":" + port));
    TestGateway gateway = toClose.add(TestGateway.start(config));

    Await.until("answered over TLS", 20_000, () -> client.get(gateway.port(), "/who").status() == 200);
    assertThat(client.get(gateway.port(), "/who").body()).isEqualTo("tls 127.0.0.2");
    assertThat(sniSeen).containsEntry("127.0.0.2", NAME);
    assertThat(AdminProbe.endpoint(gateway.adminPort(), "svc", 0).getString("endpoint"))
        .isEqualTo("https://127.0.0.2:" + port);
  }

  @Test
  void aReloadKeepsTheAddressesAndNewNamesAreResolved(@TempDir Path dir) throws Exception {
    dns.answer(NAME, "127.0.0.2");
    dns.answer("other." + NAME, "127.0.0.4");
    List<FakeBackend> backends = backends();
    int port = backends.get(0).port();
    Path file = dir.resolve("gateway.json");
    JsonObject config = TestGateway.withTestDefaults(config(port, "")).put("reload", new JsonObject().put("watch", false));
    java.nio.file.Files.writeString(file, config.encode());
    TestGateway gateway = toClose.add(TestGateway.startFromFile(file));
    Await.until("127.0.0.2 serves", 20_000, () -> endpointsOf(gateway).size() == 1);

    // A reload that changes the upstream (its retry settings and a second name): the first name's
    // address stays without waiting for DNS, the new name's follows.
    JsonObject svc = config.getJsonObject("upstreams").getJsonObject("svc");
    svc.put("retry", new JsonObject().put("maxAttempts", 2));
    svc.getJsonArray("endpoints").add("http://other." + NAME + ":" + port);
    dns.answer(NAME, new DnsTestServer.Silence());
    java.nio.file.Files.writeString(file, config.encode());
    JsonObject outcome = new JsonObject(AdminProbe.post(gateway.adminPort(), "/admin/reload"));
    assertThat(outcome.getString("result")).isEqualTo("applied");
    assertThat(client.get(gateway.port(), "/who").body()).isEqualTo("127.0.0.2");
    Await.until("the second name resolved", 20_000, () -> endpointsOf(gateway).equals(
        List.of("http://127.0.0.2:" + port, "http://127.0.0.4:" + port)));
  }

  // ---------------------------------------------------------------------------------------------

  /** Backends on every host of {@link #HOSTS}: {@code /who} answers the host; {@code /slow} is held by the test. */
  private List<FakeBackend> backends() {
    List<FakeBackend> backends = FakeBackend.onOnePort(HOSTS, host -> req -> {
      if (req.path().equals("/slow")) {
        held.computeIfAbsent(host, h -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(req);
      } else {
        req.response().end(host);
      }
    });
    backends.forEach(toClose::add);
    return backends;
  }

  /** A {@code /slow} request that a backend on {@code host} holds (others answer theirs at once). */
  private Future<GatewayClient.Reply> slowRequestOn(TestGateway gateway, String host) {
    for (int i = 0; i < 50; i++) {
      Future<GatewayClient.Reply> reply = client.send(HttpMethod.GET, gateway.port(), "/slow", null);
      Await.until("the slow request arrived", 20_000, () -> reply.isComplete() || heldCount() > 0);
      if (!held.getOrDefault(host, List.of()).isEmpty()) {
        return reply;
      }
      held.forEach((h, requests) -> {
        requests.forEach(r -> r.response().end("slow from " + h));
        requests.clear();
      });
      Await.result(reply);
    }
    throw new AssertionError("no /slow request reached " + host);
  }

  private int heldCount() {
    return held.values().stream().mapToInt(List::size).sum();
  }

  private void release(String host) {
    for (HttpServerRequest request : held.getOrDefault(host, List.of())) {
      Promise<Void> done = Promise.promise();
      request.response().end("slow from " + host).onComplete(done);
    }
  }

  /** {@code /admin/upstreams}: the endpoints of {@code svc}, a draining one marked so. */
  private static List<String> endpointsOf(TestGateway gateway) {
    List<String> endpoints = new ArrayList<>();
    for (Object e : AdminProbe.upstreams(gateway.adminPort()).getJsonObject("svc").getJsonArray("endpoints")) {
      JsonObject endpoint = (JsonObject) e;
      endpoints.add(endpoint.getString("endpoint") + (endpoint.getBoolean("draining", false) ? " draining" : ""));
    }
    return endpoints;
  }

  /** One discovered upstream {@code svc} ({@value #NAME} on {@code port}), one route, {@code extra} in the upstream. */
  private JsonObject config(int port, String extra) {
    JsonObject upstream = new JsonObject()
        .put("endpoints", new JsonArray().add("http://" + NAME + ":" + port))
        .put("discovery", new JsonObject().put("dns", true).put("refreshMs", REFRESH_MS))
        .put("retry", new JsonObject().put("maxAttempts", 1));
    if (!extra.isEmpty()) {
      upstream.mergeIn(new JsonObject("{" + extra.replace('\'', '"') + "}"));
    }
    return new JsonObject()
        .put("dns", new JsonObject().put("servers", new JsonArray().add("127.0.0.1:" + dns.port())))
        .put("upstreams", new JsonObject().put("svc", upstream))
        .put("routes", new JsonArray().add(new JsonObject().put("name", "all")
            .put("match", new JsonObject().put("pathPrefix", "/")).put("upstream", "svc")));
  }
}
