package io.portcullis.pipeline;

import static io.portcullis.pipeline.PathHarness.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.FakeHttpRequest;
import org.junit.jupiter.api.Test;

class HygieneStageTest {

  private final PathHarness harness = new PathHarness(new HygieneStage());

  @Test
  void contentLengthWithTransferEncodingIsRefusedAndTheConnectionClosed() {
    FakeHttpRequest request = harness.run(FakeHttpRequest.of("POST", "/a")
        .header("Content-Length", "5").header("Transfer-Encoding", "chunked"));

    assertThat(request.status()).isEqualTo(400);
    assertThat(errorCode(request)).isEqualTo("bad_request");
    assertThat(request.responseHeaders().get("Connection")).isEqualTo("close");
    assertThat(request.connectionClosed()).isTrue();
    assertThat(harness.reachedEnd).isEmpty();
    assertThat(harness.finishedStatuses).containsExactly(400);
  }

  @Test
  void aPathClimbingAboveTheRootIsRefused() {
    FakeHttpRequest request = harness.run(FakeHttpRequest.of("GET", "/a/../../etc/passwd"));

    assertThat(request.status()).isEqualTo(400);
    assertThat(PathHarness.message(request)).isEqualTo("malformed request path");
    assertThat(harness.reachedEnd).isEmpty();
  }

  @Test
  void laterStagesSeeTheNormalizedPath() {
    harness.run(FakeHttpRequest.of("GET", "/a/./b/../c%7e?x=1"));

    assertThat(harness.passed().path()).isEqualTo("/a/c~");
  }

  @Test
  void headerFieldsAreCountedAsHttp11HeaderLinesWithoutThePseudoHeaders() {
    io.vertx.core.MultiMap headers = io.vertx.core.MultiMap.caseInsensitiveMultiMap()
        .add(":path", "/a-long-path").add(":authority", "example.test")
        .add("x-a", "12345").add("accept", "*/*");

    // "x-a: 12345" is 10 bytes, "accept: */*" 11.
    assertThat(HygieneStage.headerBytes(headers)).isEqualTo(21);
  }
}
