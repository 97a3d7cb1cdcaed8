package io.portcullis.pipeline;

import static io.portcullis.pipeline.PathHarness.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.FakeHttpRequest;
import org.junit.jupiter.api.Test;

class BodyLimitStageTest {

  private final PathHarness harness = new PathHarness(new BodyLimitStage(100));

  @Test
  void aDeclaredBodyOverTheLimitIs413AndTheConnectionClosesAfterTheAnswer() {
    FakeHttpRequest request = harness.run(FakeHttpRequest.of("POST", "/").header("Content-Length", "101"));

    assertThat(request.status()).isEqualTo(413);
    assertThat(errorCode(request)).isEqualTo("payload_too_large");
    assertThat(PathHarness.message(request)).isEqualTo("request body of 101 bytes exceeds 100");
    assertThat(request.responseHeaders().get("Connection")).isEqualTo("close");
    assertThat(request.connectionClosed()).isTrue();
    assertThat(harness.reachedEnd).isEmpty();
  }

  @Test
  void aBodyAtTheLimitGoesOnWithItsFraming() {
    harness.run(FakeHttpRequest.of("POST", "/").header("Content-Length", "100"));

    assertThat(harness.passed().contentLength()).isEqualTo(100);
    assertThat(harness.passed().chunked()).isFalse();
  }

  @Test
  void aChunkedBodyGoesOnAndIsCountedLater() {
    harness.run(FakeHttpRequest.of("POST", "/").header("Transfer-Encoding", "chunked"));

    assertThat(harness.passed().contentLength()).isEqualTo(-1);
    assertThat(harness.passed().chunked()).isTrue();
  }
}
