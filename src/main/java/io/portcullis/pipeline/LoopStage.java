package io.portcullis.pipeline;

import io.portcullis.http.GatewayError;
import io.portcullis.http.GatewayException;
import io.portcullis.http.Via;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.List;

/**
 * Forwarding loops (README "Errors", 508 {@code loop_detected}): a request whose {@code Via}
 * already holds {@code server.maxHops} or more entries with the gateway's pseudonym
 * ({@code portcullis}) has passed through gateways that send it round in a circle, and is refused
 * before routing, so nothing is sent upstream. Each pass adds one entry ({@code 1.1 portcullis}),
 * so a loop ends after {@code maxHops} rounds however the gateways are configured. A request
 * without {@code Via} costs one header lookup.
 */
public final class LoopStage implements Stage {

  private static final CharSequence VIA = HttpHeaders.createOptimized("Via");

  private final int maxHops;

  /** A stage refusing requests that have passed {@code maxHops} ({@code >= 1}) gateways already. */
  public LoopStage(int maxHops) {
    if (maxHops < 1) {
      throw new IllegalArgumentException("maxHops: " + maxHops + " (expected: >= 1)");
    }
    this.maxHops = maxHops;
  }

  @Override
  public Verdict apply(Exchange exchange) {
    MultiMap headers = exchange.request().headers();
    String first = headers.get(VIA);
    if (first == null) {
      return Verdict.CONTINUE;
    }
    int hops = Via.count(first, Via.PSEUDONYM, maxHops);
    if (hops < maxHops) {
      List<String> lines = headers.getAll(VIA);
      for (int i = 1; i < lines.size() && hops < maxHops; i++) {
        hops += Via.count(lines.get(i), Via.PSEUDONYM, maxHops - hops);
      }
    }
    if (hops < maxHops) {
      return Verdict.CONTINUE;
    }
    return exchange.refuse(new GatewayException(GatewayError.LOOP_DETECTED,
        "the request has passed through this gateway " + maxHops + " times already (Via); a forwarding loop"));
  }
}
