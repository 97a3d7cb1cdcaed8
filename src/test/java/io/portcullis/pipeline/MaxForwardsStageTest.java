package io.portcullis.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.FakeHttpRequest;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MaxForwardsStageTest {

  private static PathHarness harness(Set<String> methods) {
    return new PathHarness(exchange -> {
      exchange.matched("api", null, Map.of(), methods);
      return Stage.Verdict.CONTINUE;
    }, new MaxForwardsStage());
  }

  @Test
  void optionsWithZeroIsAnsweredByTheGatewayWithTheRoutesMethods() {
    PathHarness harness = harness(new LinkedHashSet<>(List.of("GET", "POST", "OPTIONS")));

    FakeHttpRequest request = harness.run(FakeHttpRequest.of("OPTIONS", "/items").header("Max-Forwards", "0"));

    assertThat(harness.reachedEnd).isEmpty();
    assertThat(request.status()).isEqualTo(200);
    assertThat(request.responseHeaders().get("Allow")).isEqualTo("GET, POST, OPTIONS");
    assertThat(request.responseHeaders().get("Content-Length")).isEqualTo("0");
    assertThat(request.body()).isNull();
    assertThat(request.ended()).isTrue();
  }

  @Test
  void aRouteForAnyMethodAllowsEveryMethodTheGatewayForwards() {
    PathHarness harness = harness(Set.of());

    FakeHttpRequest request = harness.run(FakeHttpRequest.of("OPTIONS", "*").header("Max-Forwards", " 0 "));

    assertThat(request.responseHeaders().get("Allow")).isEqualTo("GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH");
  }

  @ParameterizedTest(name = "[{index}] {0} with Max-Forwards \"{1}\" goes on with \"{2}\"")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      OPTIONS | 5                    | 4
      OPTIONS | 1                    | 0
      OPTIONS | 99999999999999999999 | 9223372036854775806
      OPTIONS | -1                   | -1
      OPTIONS | 1, 2                 | 1, 2
      OPTIONS | ""                   | ""
      GET     | 0                    | 0
      GET     | 5                    | 5
      POST    | 3                    | 3
      """)
  void anythingElseGoesOnDecrementedOrUntouched(String method, String value, String forwarded) {
    PathHarness harness = harness(Set.of());

    harness.run(FakeHttpRequest.of(method, "/items").header("Max-Forwards", value));

    assertThat(harness.passed().request().headers().getAll("Max-Forwards")).containsExactly(forwarded);
  }

  @Test
  void optionsWithoutTheHeaderGoesOn() {
    PathHarness harness = harness(Set.of("OPTIONS"));
    harness.run(FakeHttpRequest.of("OPTIONS", "/items"));
    assertThat(harness.passed().request().headers().contains("Max-Forwards")).isFalse();
  }
}
