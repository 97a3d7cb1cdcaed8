package io.portcullis.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.FakeHttpRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReservedPathStageTest {

  private final List<String> answered = new ArrayList<>();
  private final PathHarness harness = new PathHarness(new HygieneStage(), new ReservedPathStage(
      new ReservedPathStage.ReservedPaths() {
        @Override
        public boolean isReserved(String normalizedPath) {
          return normalizedPath.equals("/healthz/live");
        }

        @Override
        public void answer(String normalizedPath, HttpServerResponse response) {
          answered.add(normalizedPath);
          response.setStatusCode(200).end("{\"status\":\"UP\"}");
        }
      }));

  @Test
  void aReservedPathIsAnsweredInAnySpellingAndNeverGoesFurther() {
    FakeHttpRequest request = harness.run(FakeHttpRequest.of("GET", "/x/../healthz/./live"));

    assertThat(answered).containsExactly("/healthz/live");
    assertThat(request.body()).isEqualTo("{\"status\":\"UP\"}");
    assertThat(harness.reachedEnd).isEmpty();
    assertThat(harness.finishedStatuses).containsExactly(200);
  }

  @Test
  void anyMethodOnAReservedPathIsAnsweredByItsOwner() {
    harness.run(FakeHttpRequest.of("TRACE", "/healthz/live"));

    assertThat(answered).containsExactly("/healthz/live");
  }

  @Test
  void otherPathsGoOn() {
    harness.run(FakeHttpRequest.of("GET", "/healthz/livex"));

    assertThat(answered).isEmpty();
    assertThat(harness.passed().path()).isEqualTo("/healthz/livex");
  }
}
