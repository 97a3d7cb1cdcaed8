package io.portcullis.pipeline;

import io.portcullis.route.RouteTable;
import io.portcullis.resilience.Scheduler;
import io.portcullis.resilience.Ticker;

/**
 * The order of the request path, in one place (README "How a request flows",
 * {@code docs/architecture.md}). A new stage is one line here and one class.
 */
public final class RequestPaths {

  private RequestPaths() {
  }

  /**
   * The gateway's stages: hygiene → reserved paths → forbidden methods → route → admission
   * (rate limit) → deadline → body limit → dispatch.
   */
  public static Stage[] standard(ReservedPathStage.ReservedPaths reserved, RouteTable<RouteTarget> routes,
                                 String deadlineHeader, long deadlineMaxMs, long maxBodyBytes, Ticker ticker,
                                 Scheduler scheduler, DispatchStage.Dispatcher dispatcher) {
    return new Stage[] {
        new HygieneStage(),
        new ReservedPathStage(reserved),
        new MethodStage(),
        new RouteStage(routes),
        // Admission: each refuses before anything is sent upstream.
        new RateLimitStage(),
        new DeadlineStage(deadlineHeader, deadlineMaxMs, ticker, scheduler),
        new BodyLimitStage(maxBodyBytes),
        new DispatchStage(dispatcher),
    };
  }
}
