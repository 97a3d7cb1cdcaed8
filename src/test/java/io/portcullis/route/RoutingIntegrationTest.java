package io.portcullis.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.RawHttp;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Routing through a real gateway over real backends (README "Configuration reference", "Errors" and "Endpoints"): each backend answers
 * with its own name and the request target it received, so every test sees which route took a
 * request and what was forwarded.
 */
@Timeout(60)
class RoutingIntegrationTest {

  private static final String[] BACKENDS = {"me", "users", "shadow", "api", "v1users", "items", "reads", "writes", "ro", "all"};

  private static final Map<String, FakeBackend> backends = new LinkedHashMap<>();
  private static TestGateway gateway;
  private static TestGateway catchAll;
  private static HttpClient http;

  @BeforeAll
  static void start() {
    for (String name : BACKENDS) {
      backends.put(name, FakeBackend.start(req -> req.response()
          .putHeader("Content-Type", "text/plain")
          .end(name + " " + req.method().name() + " " + req.uri())));
    }
    JsonObject upstreams = new JsonObject();
    backends.forEach((name, backend) -> upstreams.put(name,
        new JsonObject().put("endpoints", new JsonArray().add("http://127.0.0.1:" + backend.port()))));
    JsonArray routes = new JsonArray()
        .add(route("users-me", exact("/api/users/me"), "me"))
        .add(route("users", prefix("/api/users"), "users").put("stripPrefix", "/api"))
        .add(route("users-shadowed", prefix("/api/users"), "shadow"))
        .add(route("api", prefix("/api"), "api"))
        .add(route("v1-users", prefix("/v1/users"), "v1users"))
        .add(route("item-detail", exact("/items/:id/detail"), "items"))
        .add(route("rw-reads", prefix("/rw").put("methods", new JsonArray().add("GET")), "reads"))
        .add(route("rw-writes", prefix("/rw").put("methods", new JsonArray().add("POST").add("PUT")), "writes"))
        .add(route("read-only", prefix("/ro").put("methods", new JsonArray().add("GET")), "ro"));
    gateway = TestGateway.start(new JsonObject().put("upstreams", upstreams).put("routes", routes));

    JsonObject allUpstream = new JsonObject().put("all", upstreams.getJsonObject("all"));
    catchAll = TestGateway.start(new JsonObject().put("upstreams", allUpstream)
        .put("routes", new JsonArray().add(route("everything", prefix("/"), "all"))));

    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (catchAll != null) {
      catchAll.close();
    }
    backends.values().forEach(FakeBackend::close);
  }

  private static JsonObject route(String name, JsonObject match, String upstream) {
    return new JsonObject().put("name", name).put("match", match).put("upstream", upstream);
  }

  private static JsonObject exact(String path) {
    return new JsonObject().put("path", path);
  }

  private static JsonObject prefix(String prefix) {
    return new JsonObject().put("pathPrefix", prefix);
  }

  private static HttpResponse<String> send(TestGateway gw, String method, String pathAndQuery) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(gw.url(pathAndQuery)))
        .timeout(Duration.ofSeconds(20))
        .method(method, method.equals("POST") || method.equals("PUT")
            ? HttpRequest.BodyPublishers.ofString("payload") : HttpRequest.BodyPublishers.noBody())
        .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String pathAndQuery) throws Exception {
    return send(gateway, "GET", pathAndQuery);
  }

  /** Sends a raw request target (no client-side normalization) and returns status line, head and body. */
  private static Raw raw(TestGateway gw, String method, String target) throws IOException {
    RawHttp.Reply reply = RawHttp.exchange(gw.port(),
        method + " " + target + " HTTP/1.1\r\nHost: gateway.test\r\nConnection: close\r\n\r\n", 20_000);
    assertThat(reply.closed()).as("the gateway closes a Connection: close exchange").isTrue();
    return Raw.parse(reply);
  }

  private static void assertNoRoute(HttpResponse<String> response) {
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(response.body()).getString("error")).isEqualTo("no_route");
  }

  @Test
  void theFirstMatchingRouteWinsBetweenOverlappingPrefixRoutes() throws Exception {
    assertThat(get("/api/users/7").body()).isEqualTo("users GET /users/7");
    assertThat(get("/api/orders/1").body()).isEqualTo("api GET /api/orders/1");
    assertThat(get("/api").body()).isEqualTo("api GET /api");
    assertThat(backends.get("shadow").requests())
        .as("a route after an identical earlier route never gets traffic").isZero();
  }

  @Test
  void anExactRouteListedBeforeAPrefixRouteTakesExactlyItsPath() throws Exception {
    assertThat(get("/api/users/me").body()).isEqualTo("me GET /api/users/me");
    assertThat(get("/api/users/me/settings").body()).isEqualTo("users GET /users/me/settings");
    assertThat(get("/api/users/me/").body()).isEqualTo("users GET /users/me/");
  }

  @Test
  void aParameterRouteMatchesAnyValueOfItsParameterSegmentAndForwardsThePathAsIs() throws Exception {
    assertThat(get("/items/42/detail").body()).isEqualTo("items GET /items/42/detail");
    assertThat(get("/items/abc-9/detail?full=1").body()).isEqualTo("items GET /items/abc-9/detail?full=1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/items/42", "/items/42/detail/more", "/items//detail", "/items/42/details"})
  void aParameterRouteDoesNotMatchOtherShapesOfPath(String path) throws Exception {
    assertNoRoute(get(path));
  }

  @Test
  void aPrefixRouteMatchesItsPathAndEveryPathBelowIt() throws Exception {
    assertThat(get("/v1/users").body()).isEqualTo("v1users GET /v1/users");
    assertThat(get("/v1/users/7").body()).isEqualTo("v1users GET /v1/users/7");
    assertThat(get("/v1/users/7/orders").body()).isEqualTo("v1users GET /v1/users/7/orders");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/v1/usersX", "/v1/users-admin", "/v1/user", "/v1"})
  void aPrefixRouteMatchesWholeSegmentsOnly(String path) throws Exception {
    assertNoRoute(get(path));
  }

  @Test
  void aPathSharingOnlyCharactersWithAPrefixFallsToTheNextMatchingRoute() throws Exception {
    assertThat(get("/api/usersX").body()).isEqualTo("api GET /api/usersX");
  }

  @Test
  void aGetOnlyRouteAnswersGetAndGives404NoRouteForPostWhenNothingElseMatches() throws Exception {
    assertThat(get("/ro/doc").body()).isEqualTo("ro GET /ro/doc");

    HttpResponse<String> post = send(gateway, "POST", "/ro/doc");
    HttpResponse<String> delete = send(gateway, "DELETE", "/ro/doc");

    assertNoRoute(post);
    assertNoRoute(delete);
    assertThat(backends.get("ro").seen()).extracting(FakeBackend.Seen::method).containsOnly("GET");
  }

  @Test
  void aMethodTheFirstRouteDoesNotTakeGoesToTheNextRouteThatTakesIt() throws Exception {
    assertThat(send(gateway, "GET", "/rw/x").body()).isEqualTo("reads GET /rw/x");
    assertThat(send(gateway, "POST", "/rw/x").body()).isEqualTo("writes POST /rw/x");
    assertThat(send(gateway, "PUT", "/rw/x").body()).isEqualTo("writes PUT /rw/x");
    assertNoRoute(send(gateway, "DELETE", "/rw/x"));
  }

  @Test
  void stripPrefixRemovesThePrefixAndKeepsTheQueryStringIntact() throws Exception {
    String query = "x=1&y=a%20b&z=&list=1&list=2&enc=%2F%3F%26";

    HttpResponse<String> response = get("/api/users/7/orders?" + query);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("users GET /users/7/orders?" + query);
  }

  @Test
  void stripPrefixOfTheWholePathLeavesTheRoot() throws Exception {
    assertThat(get("/api/users").body()).isEqualTo("users GET /users");
    assertThat(get("/api/users?page=2").body()).isEqualTo("users GET /users?page=2");
  }

  @Test
  void theNormalizedPathIsWhatIsRoutedAndForwarded() throws Exception {
    Raw dots = raw(gateway, "GET", "/v1/./users/../users//7?q=./..");
    Raw encoded = raw(gateway, "GET", "/v1/%75sers/%2e%2e/users/8");
    Raw climbing = raw(gateway, "GET", "/ro/../api/users/9");

    assertThat(dots.status).isEqualTo(200);
    assertThat(dots.body).isEqualTo("v1users GET /v1/users/7?q=./..");
    assertThat(encoded.body).isEqualTo("v1users GET /v1/users/8");
    assertThat(climbing.body).isEqualTo("users GET /users/9");
  }

  @Test
  void aPathClimbingAboveTheRootIsABadRequestAndIsNotForwarded() throws Exception {
    int before = backends.values().stream().mapToInt(FakeBackend::requests).sum();

    Raw reply = raw(gateway, "GET", "/api/../../etc/passwd");

    assertThat(reply.status).isEqualTo(400);
    assertThat(new JsonObject(reply.body).getString("error")).isEqualTo("bad_request");
    assertThat(backends.values().stream().mapToInt(FakeBackend::requests).sum()).isEqualTo(before);
  }

  @Test
  void aNoRouteAnswerIsExactlyTheContractJsonWithTheRequestId() throws Exception {
    HttpResponse<String> response = get("/nowhere/at/all");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        ct -> assertThat(ct.toLowerCase(Locale.ROOT)).startsWith("application/json"));
    JsonObject body = new JsonObject(response.body());
    assertThat(body.fieldNames()).containsExactlyInAnyOrder("error", "message", "requestId");
    assertThat(body.getValue("error")).isEqualTo("no_route");
    assertThat(body.getValue("message")).isInstanceOf(String.class);
    assertThat(body.getString("message")).isNotBlank();
    String requestId = body.getString("requestId");
    assertThat(UUID.fromString(requestId).toString()).isEqualTo(requestId);
    assertThat(response.headers().firstValue("X-Request-Id")).contains(requestId);
  }

  @Test
  void aNoRouteAnswerCarriesTheClientsValidRequestId() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.url("/nowhere")))
        .header("X-Request-Id", "routing-test-0001").timeout(Duration.ofSeconds(20)).GET().build();

    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(response.body()).getString("requestId")).isEqualTo("routing-test-0001");
    assertThat(response.headers().firstValue("X-Request-Id")).contains("routing-test-0001");
  }

  @Test
  void theReservedHealthPathsAreAnsweredByTheGatewayEvenWithACatchAllRoute() throws Exception {
    FakeBackend all = backends.get("all");
    assertThat(send(catchAll, "GET", "/some/thing").body()).isEqualTo("all GET /some/thing");
    int before = all.requests();

    HttpResponse<String> live = send(catchAll, "GET", "/healthz/live");
    HttpResponse<String> liveWithQuery = send(catchAll, "GET", "/healthz/live?probe=1");
    HttpResponse<String> ready = send(catchAll, "GET", "/healthz/ready");

    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(live.body())).isEqualTo(new JsonObject().put("status", "UP"));
    assertThat(liveWithQuery.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(liveWithQuery.body()).getString("status")).isEqualTo("UP");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(ready.body()).getString("status")).isEqualTo("UP");
    assertThat(all.requests()).as("requests that reached the catch-all backend").isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/healthz/./live", "//healthz/live", "/healthz//live", "/healthz/%6Cive", "/x/../healthz/live",
      "/healthz/%2E/ready"})
  void anotherSpellingOfAReservedHealthPathIsNeverRouted(String target) throws Exception {
    FakeBackend all = backends.get("all");
    int before = all.requests();

    Raw reply = raw(catchAll, "GET", target);

    assertThat(all.requests()).as("requests for %s (normalized to a reserved path) reaching the backend", target)
        .isEqualTo(before);
    assertThat(reply.body).doesNotStartWith("all ");
  }

  /** A parsed raw HTTP/1.1 reply with a Content-Length or chunked body. */
  private record Raw(int status, String head, String body) {
    static Raw parse(RawHttp.Reply reply) {
      String text = reply.text();
      int end = text.indexOf("\r\n\r\n");
      assertThat(end).as("a complete response head in %s", text).isPositive();
      String head = text.substring(0, end);
      String rest = text.substring(end + 4);
      String body = head.toLowerCase(Locale.ROOT).contains("\r\ntransfer-encoding: chunked") ? dechunk(rest) : rest;
      return new Raw(reply.status(), head, body);
    }

    private static String dechunk(String s) {
      StringBuilder out = new StringBuilder();
      int i = 0;
      while (true) {
        int eol = s.indexOf("\r\n", i);
        int size = Integer.parseInt(s.substring(i, eol).split(";")[0].trim(), 16);
        if (size == 0) {
          return out.toString();
        }
        out.append(s, eol + 2, eol + 2 + size);
        i = eol + 2 + size + 2;
      }
    }
  }
}
