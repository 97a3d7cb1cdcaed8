package io.portcullis.pipeline;

import static io.portcullis.pipeline.PathHarness.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.health.Readiness;
import io.portcullis.http.GatewayError;
import io.portcullis.http.GatewayException;
import io.portcullis.testkit.FakeHttpRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The runner: order, refusals, asynchronous decisions, holds, and how a request finishes. */
class RequestPathTest {

  private final List<String> trail = new ArrayList<>();

  private Stage recording(String name) {
    return exchange -> {
      trail.add(name);
      return Stage.Verdict.CONTINUE;
    };
  }

  @Test
  void stagesRunInOrderAndTheRequestIsCountedAsStarted() {
    PathHarness harness = new PathHarness(recording("a"), recording("b"), recording("c"));

    harness.run(FakeHttpRequest.of("GET", "/"));

    assertThat(trail).containsExactly("a", "b", "c");
    assertThat(harness.started).hasSize(1);
    assertThat(harness.reachedEnd).hasSize(1);
  }

  @Test
  void aRefusalStopsThePathAndIsAnsweredWithTheRequestId() {
    PathHarness harness = new PathHarness(recording("a"),
        exchange -> exchange.refuse(new GatewayException(GatewayError.NO_ROUTE, "none")), recording("c"));

    FakeHttpRequest request = harness.run(FakeHttpRequest.of("GET", "/").header("X-Request-Id", "req-1"));

    assertThat(trail).containsExactly("a");
    assertThat(request.status()).isEqualTo(404);
    assertThat(request.responseHeaders().get("X-Request-Id")).isEqualTo("req-1");
    assertThat(new io.vertx.core.json.JsonObject(request.body()).getString("requestId")).isEqualTo("req-1");
    assertThat(harness.finishedStatuses).containsExactly(404);
  }

  @Test
  void aFailureAnsweredByTheGatewayRecordsItsErrorAndForgetsAnyEndpointPickedBefore() {
    List<Exchange> waiting = new ArrayList<>();
    PathHarness harness = new PathHarness(exchange -> {
      waiting.add(exchange);
      return Stage.Verdict.SUSPENDED;
    });
    FakeHttpRequest request = harness.run(FakeHttpRequest.of("GET", "/"));
    Exchange exchange = waiting.get(0);
    exchange.endpoint("127.0.0.1:9001"); // an answer was about to be forwarded when the deadline passed

    exchange.fail(new GatewayException(GatewayError.DEADLINE_EXCEEDED, "too late"));

    assertThat(request.status()).isEqualTo(504);
    assertThat(exchange.error()).isEqualTo(GatewayError.DEADLINE_EXCEEDED);
    assertThat(exchange.endpoint()).isNull();
  }

  @Test
  void aRequestTheGatewayDidNotAnswerWithAnErrorHasNoError() {
    PathHarness harness = new PathHarness(recording("a"));

    harness.run(FakeHttpRequest.of("GET", "/"));

    assertThat(harness.passed().error()).isNull();
  }

  @Test
  void aStageThatThrowsIsAnInternalError() {
    PathHarness harness = new PathHarness(exchange -> {
      throw new IllegalStateException("bug");
    });

    FakeHttpRequest request = harness.run(FakeHttpRequest.of("GET", "/"));

    assertThat(request.status()).isEqualTo(500);
    assertThat(errorCode(request)).isEqualTo("internal_error");
  }

  @Test
  void aSuspendedStagePausesTheBodyAndTheNextStageRunsOnlyWhenItResumes() {
    List<Exchange> waiting = new ArrayList<>();
    PathHarness harness = new PathHarness(exchange -> {
      waiting.add(exchange);
      return Stage.Verdict.SUSPENDED;
    }, recording("after"));

    FakeHttpRequest request = harness.run(FakeHttpRequest.of("POST", "/").header("Content-Length", "3"));
    assertThat(request.paused()).isTrue();
    assertThat(trail).isEmpty();

    waiting.get(0).resume();
    assertThat(trail).containsExactly("after");
    assertThat(harness.reachedEnd).hasSize(1);
  }

  @Test
  void aSuspendedStageCanRefuseLater() {
    List<Exchange> waiting = new ArrayList<>();
    PathHarness harness = new PathHarness(exchange -> {
      waiting.add(exchange);
      return Stage.Verdict.SUSPENDED;
    }, recording("after"));
    FakeHttpRequest request = harness.run(FakeHttpRequest.of("GET", "/"));

    waiting.get(0).fail(new GatewayException(GatewayError.RATE_LIMITED, "later", 3, null));

    assertThat(request.status()).isEqualTo(429);
    assertThat(request.responseHeaders().get("Retry-After")).isEqualTo("3");
    assertThat(trail).isEmpty();
  }

  @Test
  void aResumeAfterTheClientLeftRunsNoFurtherStage() {
    List<Exchange> waiting = new ArrayList<>();
    PathHarness harness = new PathHarness(exchange -> {
      waiting.add(exchange);
      return Stage.Verdict.SUSPENDED;
    }, recording("after"));
    FakeHttpRequest request = harness.run(FakeHttpRequest.of("GET", "/"));

    request.clientGone();
    waiting.get(0).resume();

    assertThat(trail).isEmpty();
    assertThat(harness.finishedStatuses).containsExactly(499);
  }

  @Test
  void holdsAreReleasedOnceNewestFirstWhenTheResponseEnds() {
    List<String> released = new ArrayList<>();
    PathHarness harness = new PathHarness(exchange -> {
      exchange.hold(e -> released.add("permit"));
      exchange.hold(e -> released.add("lease"));
      exchange.hold(e -> released.add("token"));
      return Stage.Verdict.CONTINUE;
    });
    FakeHttpRequest request = harness.run(FakeHttpRequest.of("GET", "/"));
    assertThat(released).isEmpty();

    request.request().response().setStatusCode(204).end();
    request.clientGone();

    assertThat(released).containsExactly("token", "lease", "permit");
    assertThat(harness.finishedStatuses).containsExactly(204);
  }

  @Test
  void holdsAreReleasedWhenTheClientLeavesAndAFailingReleaseDoesNotStopTheOthers() {
    List<Integer> statuses = new ArrayList<>();
    PathHarness harness = new PathHarness(exchange -> {
      exchange.hold(e -> statuses.add(e.request().response().getStatusCode()));
      exchange.hold(e -> {
        throw new IllegalStateException("broken release");
      });
      return Stage.Verdict.CONTINUE;
    });
    FakeHttpRequest request = harness.run(FakeHttpRequest.of("GET", "/"));

    request.clientGone();

    assertThat(statuses).hasSize(1);
    assertThat(harness.finishedStatuses).containsExactly(499);
  }

  @Test
  void whileDrainingEveryHttp1AnswerClosesItsConnection() {
    PathHarness harness = new PathHarness();
    harness.readiness.serving();
    harness.readiness.advance(Readiness.Phase.DRAINING);

    FakeHttpRequest request = harness.run(FakeHttpRequest.of("GET", "/"));
    request.request().response().end();

    assertThat(request.responseHeaders().get("Connection")).isEqualTo("close");
    assertThat(request.connectionClosed()).isTrue();
  }
}
