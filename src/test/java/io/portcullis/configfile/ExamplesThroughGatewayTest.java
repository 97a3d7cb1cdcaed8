package io.portcullis.configfile;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.ConfigLoader;
import io.portcullis.config.GatewayConfig;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.GatewayClient;
import io.portcullis.testkit.GatewayExtension;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file in conf/examples runs in a real gateway: each upstream's endpoints are replaced by
 * one real backend on loopback (and an OTLP collector address by another), then one request is
 * sent for each route and the backend is checked to have received the method, path and query the
 * route promises: the prefix stripped, the query kept, aggregate paths filled in.
 */
class ExamplesThroughGatewayTest {

  private static final Path DIR = Path.of(System.getProperty("user.dir"), "conf", "examples");
  private static final Map<String, String> TEST_ENV = Map.of(
      "USERS_URL", "http://users.default.svc.cluster.local:8080",
      "ORDERS_HOST", "orders.default.svc.cluster.local");

  @RegisterExtension
  static final GatewayExtension harness = GatewayExtension.keepAlive();

  static Stream<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(DIR)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList().stream();
    }
  }

  static Stream<String> exampleNames() throws IOException {
    return examples().map(path -> path.getFileName().toString());
  }

  /** The example running with a backend per upstream. */
  private record Running(TestGateway gateway, Map<String, FakeBackend> backends, GatewayConfig config) {}

  private Running run(Path example) throws Exception {
    GatewayConfig loaded = ConfigFiles.load(example, TEST_ENV::get);
    JsonObject json = ConfigLoader.toJson(loaded);
    Map<String, FakeBackend> backends = new LinkedHashMap<>();
    JsonObject upstreams = json.getJsonObject("upstreams");
    for (String name : upstreams.fieldNames()) {
      FakeBackend backend = harness.backend(req -> req.response()
          .putHeader("Content-Type", "application/json").end(new JsonObject().put("upstream", name).encode()));
      backends.put(name, backend);
      upstreams.getJsonObject(name).put("endpoints", new JsonArray().add("http://127.0.0.1:" + backend.port()));
    }
    // Nothing leaves this machine: a collector address in an example is replaced too.
    FakeBackend collector = harness.backend(req -> req.response().end());
    json.getJsonObject("tracing").put("otlpEndpoint", "http://127.0.0.1:" + collector.port() + "/v1/traces");
    json.remove("shutdown"); // the test defaults: no drain period
    TestGateway gateway = harness.start(json);
    return new Running(gateway, backends, loaded);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("exampleNames")
  void everyRouteOfEveryExampleReachesItsBackendAsConfigured(String file) throws Exception {
    Path example = DIR.resolve(file);
    Running running = run(example);
    GatewayClient client = harness.client();

    for (JsonObject route : routes(running.config())) {
      JsonObject match = route.getJsonObject("match");
      JsonArray methods = match.getJsonArray("methods");
      String method = methods.isEmpty() || methods.contains("GET") ? "GET" : methods.getString(0);
      Map<String, String> params = new LinkedHashMap<>();
      String path;
      if (match.containsKey("path")) {
        List<String> segments = new ArrayList<>();
        for (String segment : match.getString("path").split("/", -1)) {
          if (segment.startsWith(":")) {
            params.put(segment.substring(1), "v-" + segment.substring(1));
            segments.add("v-" + segment.substring(1));
          } else {
            segments.add(segment);
          }
        }
        path = String.join("/", segments);
      } else {
        String prefix = match.getString("pathPrefix");
        path = (prefix.equals("/") ? "" : prefix) + "/probe-" + route.getString("name");
      }

      if (route.containsKey("upstream")) {
        GatewayClient.Reply reply =
            client.request(HttpMethod.valueOf(method), running.gateway().port(), path + "?q=1&r=a%2Fb", null);
        assertThat(reply.status()).as("%s route %s: %s", example.getFileName(), route.getString("name"), reply)
            .isEqualTo(200);
        String strip = route.getString("stripPrefix", "/");
        String forwarded = strip.equals("/") ? path : path.substring(strip.length());
        assertThat(seen(running.backends().get(route.getString("upstream"))))
            .as("%s route %s", example.getFileName(), route.getString("name"))
            .contains(method + " " + (forwarded.isEmpty() ? "/" : forwarded) + "?q=1&r=a%2Fb");
      } else {
        GatewayClient.Reply reply = client.request(HttpMethod.valueOf(method), running.gateway().port(), path, null);
        assertThat(reply.status()).as("%s route %s: %s", example.getFileName(), route.getString("name"), reply)
            .isEqualTo(200);
        for (Object item : route.getJsonArray("aggregate")) {
          JsonObject backend = (JsonObject) item;
          String expected = backend.getString("path");
          // Longest names first, so that ":id" never eats the start of ":idx".
          List<String> names = new ArrayList<>(params.keySet());
          names.sort(Comparator.comparingInt(String::length).reversed());
          for (String name : names) {
            expected = expected.replace(":" + name, params.get(name));
          }
          assertThat(seen(running.backends().get(backend.getString("upstream"))))
              .as("%s route %s backend %s", example.getFileName(), route.getString("name"), backend.getString("as"))
              .contains("GET " + expected);
        }
      }
    }
  }

  @Test
  void theOptionalOrdersBackendReceivesTheUserIdInItsQuery() throws Exception {
    Running running = run(DIR.resolve("aggregate-optional.json"));
    GatewayClient client = harness.client();

    GatewayClient.Reply reply = client.get(running.gateway().port(), "/api/dashboard/u-7");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.header("X-Gateway-Failed")).as("no branch failed").isNull();
    assertThat(seen(running.backends().get("orders"))).containsExactly("GET /orders?user=u-7&limit=5");
    assertThat(seen(running.backends().get("users"))).containsExactly("GET /users/u-7");
    assertThat(seen(running.backends().get("recommendations"))).containsExactly("GET /for/u-7");
  }

  @Test
  void aUserIdIsEncodedAsAQueryComponentInTheQueryAndAsASegmentInThePath() throws Exception {
    Running running = run(DIR.resolve("aggregate-optional.json"));
    GatewayClient client = harness.client();

    GatewayClient.Reply reply = client.get(running.gateway().port(), "/api/dashboard/ann+bob&c=d%2F%C3%A9");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(seen(running.backends().get("orders"))).containsExactly("GET /orders?user=ann%2Bbob%26c%3Dd/%C3%A9&limit=5");
    assertThat(seen(running.backends().get("users"))).containsExactly("GET /users/ann+bob&c=d%2F%C3%A9");
  }

  private static List<JsonObject> routes(GatewayConfig config) {
    List<JsonObject> routes = new ArrayList<>();
    ConfigLoader.toJson(config).getJsonArray("routes").forEach(route -> routes.add((JsonObject) route));
    return routes;
  }

  private static List<String> seen(FakeBackend backend) {
    return backend.seen().stream()
        .filter(s -> !s.uri().startsWith("/health") && !s.uri().startsWith("/actuator"))
        .map(s -> s.method() + " " + s.uri())
        .toList();
  }
}
