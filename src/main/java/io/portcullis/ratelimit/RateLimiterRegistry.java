package io.portcullis.ratelimit;

import io.portcullis.resilience.Ticker;
import io.portcullis.config.RateLimitConfig;
import io.portcullis.config.RouteConfig;

import java.util.Collection;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The process's rate limiters, one per route, keyed by the route's name and its
 * {@link RateLimitConfig}. A route table rebuilt from a new configuration asks again for each
 * route's limiter: a route whose name and limit did not change gets the very same
 * {@link RateLimiter}, buckets included, so a reload neither resets nor doubles anyone's
 * allowance. A changed limit gets a fresh limiter; {@link #retain} forgets the limiters of
 * routes that are gone or changed.
 */
public final class RateLimiterRegistry {

  private record Key(String route, RateLimitConfig limit) {
  }

  private final Ticker ticker;
  private final int maxKeys;
  private final ConcurrentHashMap<Key, RateLimiter> limiters = new ConcurrentHashMap<>();

  /** A registry whose limiters hold at most {@link RateLimiter#DEFAULT_MAX_KEYS} keys each. */
  public RateLimiterRegistry(Ticker ticker) {
    this(ticker, RateLimiter.DEFAULT_MAX_KEYS);
  }

  /** A registry whose limiters hold at most {@code maxKeys} keys each. */
  public RateLimiterRegistry(Ticker ticker, int maxKeys) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.maxKeys = maxKeys;
  }

  /** The limiter of route {@code route} with {@code limit}: the existing one, or a new one. */
  public RateLimiter limiter(String route, RateLimitConfig limit) {
    return limiters.computeIfAbsent(new Key(route, limit),
        k -> new RateLimiter(limit.requestsPerSecond(), limit.burst(), maxKeys, ticker));
  }

  /** Forgets every limiter that no route of {@code routes} uses (with the same limit). */
  public void retain(Collection<RouteConfig> routes) {
    Set<Key> live = new HashSet<>();
    for (RouteConfig route : routes) {
      route.rateLimit().ifPresent(limit -> live.add(new Key(route.name(), limit)));
    }
    limiters.keySet().retainAll(live);
  }

  /** Limiters held now. */
  public int size() {
    return limiters.size();
  }
}
