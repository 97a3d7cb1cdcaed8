package io.portcullis.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathTemplateTest {

  @Test
  void replacesEveryPathPlaceholderWithItsValue() {
    String expanded = PathTemplate.expand("/orders/by-user/:id/items/:item", Map.of("id", "42", "item", "x-1"));

    assertThat(expanded).isEqualTo("/orders/by-user/42/items/x-1");
  }

  @Test
  void replacesAPlaceholderInTheQuery() {
    assertThat(PathTemplate.expand("/orders?user=:userId&limit=5", Map.of("userId", "u-7")))
        .isEqualTo("/orders?user=u-7&limit=5");
  }

  @Test
  void aPlaceholderMayStandInsideASegmentOrAfterLiteralText() {
    assertThat(PathTemplate.expand("/a/b:id/:id.json", Map.of("id", "9"))).isEqualTo("/a/b9/9.json");
  }

  @Test
  void theLongestNameIsThePlaceholder() {
    assertThat(PathTemplate.compile("/x/:idx/:id").placeholders()).containsExactly("idx", "id");
    assertThat(PathTemplate.expand("/x/:idx/:id", Map.of("id", "1", "idx", "2"))).isEqualTo("/x/2/1");
  }

  @Test
  void aColonNotFollowedByANameIsLiteral() {
    PathTemplate template = PathTemplate.compile("/a:1/:/t?x=::&y=:-");

    assertThat(template.placeholders()).isEmpty();
    assertThat(template.expand(Map.of("id", "1"))).isEqualTo("/a:1/:/t?x=::&y=:-");
  }

  @Test
  void aTemplateWithoutPlaceholdersIsReturnedAsIs() {
    assertThat(PathTemplate.expand("/users/all?q=1", Map.of("id", "1"))).isEqualTo("/users/all?q=1");
  }

  @Test
  void aPlaceholderWithoutAValueIsLeftAsWritten() {
    assertThat(PathTemplate.expand("/a/:id/:other", Map.of("id", "1"))).isEqualTo("/a/1/:other");
  }

  @ParameterizedTest(name = "{0} in the path is {1}, in the query {2}")
  @CsvSource(delimiter = '|', value = {
      "plain-1.2_~      | plain-1.2_~       | plain-1.2_~",
      "a&b=c+d          | a&b=c+d           | a%26b%3Dc%2Bd",
      "a%2Fb            | a%2Fb             | a/b",
      "a%20b            | a%20b             | a%20b",
      "100%25           | 100%25            | 100%25",
      "a%23b%3Fc        | a%23b%3Fc         | a%23b?c",
      "%C3%A9t%C3%A9    | %C3%A9t%C3%A9     | %C3%A9t%C3%A9",
      "a:b@c!$'()*,;    | a:b@c!$'()*,;     | a:b@c!$'()*,;",
      "%e2%82%ac        | %E2%82%AC         | %E2%82%AC",
      "50%              | 50%25             | 50%25",
      "%zz              | %25zz             | %25zz"})
  void aValueIsPercentEncodedForWhereItStands(String value, String inPath, String inQuery) {
    PathTemplate template = PathTemplate.compile("/p/:v?q=:v");

    assertThat(template.expand(Map.of("v", value))).isEqualTo("/p/" + inPath + "?q=" + inQuery);
  }

  @Test
  void charactersOutsideAsciiAreEncodedAsUtf8() {
    assertThat(PathTemplate.expand("/p/:v?q=:v", Map.of("v", "é €😀")))
        .isEqualTo("/p/%C3%A9%20%E2%82%AC%F0%9F%98%80?q=%C3%A9%20%E2%82%AC%F0%9F%98%80");
  }

  @Test
  void expandingWhatAPatternBoundRebuildsThePath() {
    Map<String, String> params = PathPattern.exact("/api/profile/:id").match("/api/profile/u%2F77");

    assertThat(PathTemplate.expand("/users/:id", params)).isEqualTo("/users/u%2F77");
    assertThat(PathTemplate.expand("/users?id=:id", params)).isEqualTo("/users?id=u/77");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "users/:id     | must start with \"/\", got \"users/:id\"",
      "/a b          | must not contain whitespace, got \"/a b\""})
  void aTargetThatIsNotAbsoluteOrHoldsWhitespaceIsAProblem(String template, String problem) {
    assertThat(PathTemplate.problem(template)).isEqualTo(problem);
  }

  @Test
  void anAbsoluteTargetWithAQueryHasNoProblem() {
    assertThat(PathTemplate.problem("/orders?user=:userId&limit=5")).isNull();
  }
}
