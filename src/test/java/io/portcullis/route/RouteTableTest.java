package io.portcullis.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouteTableTest {

  private static RouteTable.Entry<String> prefix(String name, String prefix, String... methods) {
    return new RouteTable.Entry<>(name, PathPattern.prefix(prefix), Set.of(methods), name);
  }

  private static RouteTable.Entry<String> exact(String name, String path, String... methods) {
    return new RouteTable.Entry<>(name, PathPattern.exact(path), Set.of(methods), name);
  }

  private static String routeOf(RouteTable<String> table, String method, String path) {
    RouteTable.Match<String> match = table.find(method, path);
    return match == null ? null : match.entry().target();
  }

  @Test
  void theFirstMatchingRouteInConfigurationOrderWins() {
    RouteTable<String> specificFirst = new RouteTable<>(List.of(
        prefix("users", "/api/users"), prefix("api", "/api"), prefix("all", "/")));
    RouteTable<String> generalFirst = new RouteTable<>(List.of(
        prefix("api", "/api"), prefix("users", "/api/users")));

    assertThat(routeOf(specificFirst, "GET", "/api/users/7")).isEqualTo("users");
    assertThat(routeOf(specificFirst, "GET", "/api/orders")).isEqualTo("api");
    assertThat(routeOf(specificFirst, "GET", "/elsewhere")).isEqualTo("all");
    assertThat(routeOf(generalFirst, "GET", "/api/users/7")).isEqualTo("api");
  }

  @Test
  void anExactRouteBeforeAPrefixRouteTakesItsPathAndLeavesTheRest() {
    RouteTable<String> table = new RouteTable<>(List.of(
        exact("one", "/api/users/me"), prefix("users", "/api/users")));

    assertThat(routeOf(table, "GET", "/api/users/me")).isEqualTo("one");
    assertThat(routeOf(table, "GET", "/api/users/me/x")).isEqualTo("users");
    assertThat(routeOf(table, "GET", "/api/users/7")).isEqualTo("users");
  }

  @Test
  void aMatchCarriesTheBoundParametersOfItsRoute() {
    RouteTable<String> table = new RouteTable<>(List.of(exact("profile", "/api/profile/:id")));

    RouteTable.Match<String> match = table.find("GET", "/api/profile/42");

    assertThat(match).isNotNull();
    assertThat(match.entry().name()).isEqualTo("profile");
    assertThat(match.params()).containsExactly(Map.entry("id", "42"));
  }

  @Test
  void aPrefixMatchHasNoParameters() {
    RouteTable<String> table = new RouteTable<>(List.of(prefix("all", "/")));

    assertThat(table.find("GET", "/x").params()).isEmpty();
  }

  @Test
  void aRouteWithMethodsTakesOnlyThoseMethodsAndOthersFallThroughToLaterRoutes() {
    RouteTable<String> table = new RouteTable<>(List.of(
        prefix("reads", "/api", "GET", "HEAD"), prefix("writes", "/api", "POST")));

    assertThat(routeOf(table, "GET", "/api/x")).isEqualTo("reads");
    assertThat(routeOf(table, "HEAD", "/api/x")).isEqualTo("reads");
    assertThat(routeOf(table, "POST", "/api/x")).isEqualTo("writes");
    assertThat(table.find("DELETE", "/api/x")).isNull();
  }

  @Test
  void methodsAreMatchedExactlyAsUpperCaseNames() {
    RouteTable<String> table = new RouteTable<>(List.of(prefix("reads", "/", "GET")));

    assertThat(table.find("get", "/")).isNull();
  }

  @Test
  void aRouteWithoutMethodsTakesEveryMethod() {
    RouteTable<String> table = new RouteTable<>(List.of(prefix("all", "/api")));

    for (String method : List.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND")) {
      assertThat(routeOf(table, method, "/api")).as(method).isEqualTo("all");
    }
  }

  @Test
  void noMatchingRouteGivesNull() {
    RouteTable<String> table = new RouteTable<>(List.of(
        prefix("users", "/api/users"), exact("status", "/status")));

    assertThat(table.find("GET", "/api/usersX")).isNull();
    assertThat(table.find("GET", "/status/x")).isNull();
    assertThat(table.find("GET", "/")).isNull();
  }

  @Test
  void anEmptyTableMatchesNothing() {
    assertThat(new RouteTable<String>(List.of()).find("GET", "/")).isNull();
  }

  @Test
  void theTableKeepsItsRoutesInOrderAndIsNotAffectedByLaterChangesToTheGivenList() {
    List<RouteTable.Entry<String>> entries = new ArrayList<>(List.of(prefix("a", "/a"), prefix("b", "/b")));
    RouteTable<String> table = new RouteTable<>(entries);

    entries.add(0, prefix("all", "/"));

    assertThat(table.entries()).extracting(RouteTable.Entry::name).containsExactly("a", "b");
    assertThat(routeOf(table, "GET", "/b/1")).isEqualTo("b");
    assertThat(table.find("GET", "/c")).isNull();
  }
}
