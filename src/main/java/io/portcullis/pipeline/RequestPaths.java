package io.portcullis.pipeline;

import io.portcullis.ratelimit.RedisRateStore;
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
   * The gateway's stages: hygiene → reserved paths → forbidden methods → loops → route →
   * {@code Max-Forwards} → admission (rate limit, then the upstream's concurrency limit) →
   * deadline → body limit → dispatch.
   *
   * @param maxHeaderBytes {@code server.maxHeaderBytes} (HTTP/2 requests are measured here)
   * @param maxHops {@code server.maxHops}
   * @param clusterStore this event loop's store of cluster rate limits, null without {@code redis}
   * @param shedListener counts the requests the concurrency limit sheds ({@code portcullis_shed_total})
   */
  public static Stage[] standard(ReservedPathStage.ReservedPaths reserved, RouteTable<RouteTarget> routes,
                                 String deadlineHeader, long deadlineMaxMs, long maxHeaderBytes, long maxBodyBytes, Ticker ticker,
                                 Scheduler scheduler, DispatchStage.Dispatcher dispatcher, int maxHops,
                                 RedisRateStore clusterStore, ConcurrencyStage.ShedListener shedListener) {
    return new Stage[] {
        new HygieneStage(maxHeaderBytes),
        new ReservedPathStage(reserved),
        new MethodStage(),
        new LoopStage(maxHops),
        new RouteStage(routes),
        new MaxForwardsStage(),
        // Admission: each refuses before anything is sent upstream.
        new RateLimitStage(clusterStore),
        new ConcurrencyStage(ticker, shedListener),
        new DeadlineStage(deadlineHeader, deadlineMaxMs, ticker, scheduler),
        new BodyLimitStage(maxBodyBytes),
        new DispatchStage(dispatcher),
    };
  }
}
