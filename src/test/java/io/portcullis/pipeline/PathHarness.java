package io.portcullis.pipeline;

import io.portcullis.health.Readiness;
import io.portcullis.testkit.FakeHttpRequest;
import io.portcullis.trace.Tracing;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link RequestPath} of the stages under test followed by a stage that records each exchange
 * reaching it (as the dispatch would receive it), with a listener that records how each request
 * finished. No socket: requests are {@link FakeHttpRequest}s.
 */
final class PathHarness {

  final Readiness readiness = new Readiness();
  final List<Exchange> reachedEnd = new ArrayList<>();
  final List<Exchange> started = new ArrayList<>();
  final List<Integer> finishedStatuses = new ArrayList<>();
  final RequestPath path;

  PathHarness(Stage... stages) {
    Stage[] all = new Stage[stages.length + 1];
    System.arraycopy(stages, 0, all, 0, stages.length);
    all[stages.length] = exchange -> {
      reachedEnd.add(exchange);
      return Stage.Verdict.HANDLED;
    };
    path = new RequestPath(all, readiness, Tracing.DISABLED, new RequestPath.Listener() {
      @Override
      public void started(Exchange exchange) {
        started.add(exchange);
      }

      @Override
      public void finished(Exchange exchange, int status) {
        finishedStatuses.add(status);
      }
    });
  }

  /** Runs {@code request} through the path. */
  FakeHttpRequest run(FakeHttpRequest request) {
    path.handle(request.request(), 0);
    return request;
  }

  /** The one exchange that reached the end of the path. */
  Exchange passed() {
    if (reachedEnd.size() != 1) {
      throw new AssertionError("expected one exchange past the stages, got " + reachedEnd.size());
    }
    return reachedEnd.get(0);
  }

  /** The {@code error} code of an error response body. */
  static String errorCode(FakeHttpRequest request) {
    return new io.vertx.core.json.JsonObject(request.body()).getString("error");
  }

  /** The {@code message} of an error response body. */
  static String message(FakeHttpRequest request) {
    return new io.vertx.core.json.JsonObject(request.body()).getString("message");
  }
}
