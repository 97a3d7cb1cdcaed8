package io.portcullis.pipeline;

import static io.portcullis.pipeline.PathHarness.errorCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.testkit.FakeHttpRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LoopStageTest {

  @ParameterizedTest(name = "[{index}] Via \"{0}\" with maxHops 3 -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      # Via                                                          | status
      "1.1 portcullis"                                               | 200
      "1.1 portcullis, 1.1 portcullis"                               | 200
      "1.1 portcullis, 1.1 portcullis, 2 portcullis"                 | 508
      "1.1 portcullis, 1.1 nginx, 1.1 portcullis, HTTP/1.1 PORTCULLIS:8080" | 508
      "1.1 nginx, 1.1 envoy, 1.1 haproxy, 1.1 squid"                 | 200
      "1.1 portcullis (a, b, 1.1 portcullis, 1.1 portcullis), 1.1 x" | 200
      "1.1 portcullis-2, 1.1 portcullisx, 1.1 portcullis"            | 200
      """)
  void countsTheGatewaysOwnEntries(String via, int status) {
    PathHarness harness = new PathHarness(new LoopStage(3));

    FakeHttpRequest request = harness.run(FakeHttpRequest.of("GET", "/").header("Via", via));

    if (status == 200) {
      assertThat(harness.reachedEnd).hasSize(1);
    } else {
      assertThat(harness.reachedEnd).isEmpty();
      assertThat(request.status()).isEqualTo(508);
      assertThat(errorCode(request)).isEqualTo("loop_detected");
    }
  }

  @Test
  void entriesAreCountedAcrossSeveralFieldLines() {
    PathHarness harness = new PathHarness(new LoopStage(3));

    FakeHttpRequest twoLines = harness.run(FakeHttpRequest.of("GET", "/")
        .header("Via", "1.1 portcullis").header("Via", "1.1 nginx, 1.1 portcullis"));
    FakeHttpRequest threeLines = harness.run(FakeHttpRequest.of("GET", "/")
        .header("Via", "1.1 portcullis").header("Via", "1.1 nginx, 1.1 portcullis").header("Via", "2 portcullis"));

    assertThat(harness.reachedEnd).hasSize(1);
    assertThat(twoLines.ended()).isFalse();
    assertThat(threeLines.status()).isEqualTo(508);
  }

  @Test
  void aRequestWithoutViaPasses() {
    PathHarness harness = new PathHarness(new LoopStage(1));
    harness.run(FakeHttpRequest.of("GET", "/"));
    assertThat(harness.reachedEnd).hasSize(1);
  }

  @Test
  void aHugeViaIsReadInOnePassAndStopsAtTheLimit() {
    PathHarness harness = new PathHarness(new LoopStage(10));
    String via = "1.1 portcullis, ".repeat(50_000) + "(" + "(".repeat(10_000);

    FakeHttpRequest request = harness.run(FakeHttpRequest.of("GET", "/").header("Via", via));

    assertThat(request.status()).isEqualTo(508);
  }

  @Test
  void maxHopsMustBePositive() {
    assertThatThrownBy(() -> new LoopStage(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
