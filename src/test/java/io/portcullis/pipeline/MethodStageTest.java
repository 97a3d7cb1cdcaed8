package io.portcullis.pipeline;

import static io.portcullis.pipeline.PathHarness.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.FakeHttpRequest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MethodStageTest {

  private final PathHarness harness = new PathHarness(new MethodStage());

  @ParameterizedTest
  @ValueSource(strings = {"TRACE", "CONNECT"})
  void traceAndConnectAreRefusedWith405(String method) {
    FakeHttpRequest request = harness.run(FakeHttpRequest.of(method, "/a"));

    assertThat(request.status()).isEqualTo(405);
    assertThat(errorCode(request)).isEqualTo("method_not_allowed");
    assertThat(PathHarness.message(request)).isEqualTo(method + " is not allowed");
    assertThat(request.responseHeaders().get("Allow")).as("RFC 9110 §15.5.6")
        .isEqualTo("GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH");
    assertThat(harness.reachedEnd).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET", "POST", "DELETE", "OPTIONS", "PATCH"})
  void otherMethodsGoOn(String method) {
    harness.run(FakeHttpRequest.of(method, "/a"));

    assertThat(harness.reachedEnd).hasSize(1);
  }
}
