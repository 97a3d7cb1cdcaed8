package io.portcullis.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathPatternTest {

  // ---------------------------------------------------------------- exact paths

  @Test
  void anExactPathMatchesOnlyItselfWithNoParameters() {
    PathPattern pattern = PathPattern.exact("/api/status");

    assertThat(pattern.isPrefix()).isFalse();
    assertThat(pattern.source()).isEqualTo("/api/status");
    assertThat(pattern.paramNames()).isEmpty();
    assertThat(pattern.match("/api/status")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/status/", "/api/status/x", "/api/statusX", "/api/stat", "/api", "/", "/API/status"})
  void anExactPathDoesNotMatchLongerShorterOrDifferentlyCasedPaths(String path) {
    assertThat(PathPattern.exact("/api/status").match(path)).isNull();
  }

  @Test
  void theRootPatternMatchesOnlyTheRoot() {
    PathPattern root = PathPattern.exact("/");

    assertThat(root.match("/")).isEmpty();
    assertThat(root.match("/a")).isNull();
  }

  // ---------------------------------------------------------------- parameters

  @Test
  void parametersBindTheirSegmentsInOrderOfAppearance() {
    PathPattern pattern = PathPattern.exact("/api/users/:userId/orders/:orderId");

    assertThat(pattern.paramNames()).containsExactly("userId", "orderId");
    Map<String, String> params = pattern.match("/api/users/42/orders/a-7");
    assertThat(params).containsExactly(Map.entry("userId", "42"), Map.entry("orderId", "a-7"));
  }

  @Test
  void aParameterBindsAWholeSegmentKeptAsIs() {
    Map<String, String> params = PathPattern.exact("/files/:name").match("/files/a%2Fb.txt");

    assertThat(params).containsExactly(Map.entry("name", "a%2Fb.txt"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "/api/users/42",               // too few segments
      "/api/users/42/orders/7/x",    // too many segments
      "/api/users/42/orders/7/",     // trailing slash is one more (empty) segment
      "/api/users//orders/7",        // an empty segment never binds a parameter
      "/api/users/42/order/7",       // literal segment differs
      "/api/users/42/ordersX/7",     // a literal segment is matched whole
      "/api/users/42/Orders/7",      // and case-sensitively
      "/api/people/42/orders/7",
      "/",
      "/api"})
  void aParameterPatternDoesNotMatchWhenSegmentsDiffer(String path) {
    assertThat(PathPattern.exact("/api/users/:userId/orders/:orderId").match(path)).isNull();
  }

  @Test
  void trailingAndEmptyLiteralSegmentsOfAPatternCountAsSegments() {
    assertThat(PathPattern.exact("/a/:id/").match("/a/7/")).containsExactly(Map.entry("id", "7"));
    assertThat(PathPattern.exact("/a/:id/").match("/a/7")).isNull();
    assertThat(PathPattern.exact("/a//:id").match("/a//7")).containsExactly(Map.entry("id", "7"));
    assertThat(PathPattern.exact("/a//:id").match("/a/x/7")).isNull();
    assertThat(PathPattern.exact("/:a/:b").match("/x/y")).containsExactly(Map.entry("a", "x"), Map.entry("b", "y"));
  }

  @Test
  void aParameterMatchesAnySingleNonEmptySegmentValue() {
    PathPattern pattern = PathPattern.exact("/p/:id");

    assertThat(pattern.match("/p/1")).containsEntry("id", "1");
    assertThat(pattern.match("/p/..hidden")).containsEntry("id", "..hidden");
    assertThat(pattern.match("/p/")).isNull();
    assertThat(pattern.match("/p")).isNull();
  }

  // ---------------------------------------------------------------- prefixes

  @ParameterizedTest
  @ValueSource(strings = {"/api/users", "/api/users/", "/api/users/7", "/api/users/7/orders"})
  void aPrefixMatchesItselfAndEveryPathBelowIt(String path) {
    PathPattern prefix = PathPattern.prefix("/api/users");

    assertThat(prefix.isPrefix()).isTrue();
    assertThat(prefix.match(path)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/usersX", "/api/users-admin", "/api/user", "/api", "/", "/other/api/users", "/API/users"})
  void aPrefixMatchesWholeSegmentsOnly(String path) {
    assertThat(PathPattern.prefix("/api/users").match(path)).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "/a", "/a/b/c", "/healthz/live"})
  void theRootPrefixMatchesEveryPath(String path) {
    assertThat(PathPattern.prefix("/").match(path)).isEmpty();
  }

  @Test
  void aPrefixHasNoParameters() {
    assertThat(PathPattern.prefix("/api").paramNames()).isEmpty();
  }

  // ---------------------------------------------------------------- stripPrefix

  @ParameterizedTest(name = "strip {1} from {0} -> {2}")
  @CsvSource({
      "/api/users/7,   /api,       /users/7",
      "/api/users,     /api,       /users",
      "/api,           /api,       /",
      "/api/,          /api,       /",
      "/api/users/7,   /api/users, /7",
      "/a/b/c,         /a/b,       /c"})
  void removesAWholeSegmentPrefixAndAlwaysLeavesAnAbsolutePath(String path, String strip, String expected) {
    assertThat(PathPattern.stripPrefix(path, strip)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "strip {1} from {0} leaves it unchanged")
  @CsvSource({
      "/apix/users,  /api",
      "/v2/api/x,    /api",
      "/ap,          /api",
      "/anything,    /"})
  void leavesThePathUnchangedWhenThePrefixIsNotAWholeSegmentPrefix(String path, String strip) {
    assertThat(PathPattern.stripPrefix(path, strip)).isEqualTo(path);
  }

  @Test
  void aNullStripLeavesThePathUnchanged() {
    assertThat(PathPattern.stripPrefix("/a/b", null)).isEqualTo("/a/b");
  }

  // ---------------------------------------------------------------- parameter rules

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "/a/b:id         | \":\" may only start a whole-segment parameter, got \"/a/b:id\"",
      "/a/:id:x        | \":\" may only start a whole-segment parameter, got \"/a/:id:x\"",
      "/a/:1x          | invalid parameter name \":1x\" (must match [A-Za-z_][A-Za-z0-9_]*)",
      "/a/:            | invalid parameter name \":\" (must match [A-Za-z_][A-Za-z0-9_]*)",
      "/a/:id/b/:id    | duplicate parameter \":id\""})
  void aBadParameterIsOneProblem(String path, String problem) {
    assertThat(PathPattern.problems(path)).containsExactly(problem);
  }

  @Test
  void parametersAreNamedInOrderAndAValidPatternHasNoProblem() {
    assertThat(PathPattern.problems("/a/:x/b/:y_2")).isEmpty();
    assertThat(PathPattern.parameters("/a/:x/b/:y_2")).containsExactly("x", "y_2");
    assertThat(PathPattern.parameters("/")).isEmpty();
  }
}
