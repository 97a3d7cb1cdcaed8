package io.portcullis.upstream;

import io.portcullis.admission.ConcurrencyLimiter;
import io.portcullis.config.BreakerConfig;
import io.portcullis.config.ConcurrencyConfig;
import io.portcullis.config.Endpoint;
import io.portcullis.config.UpstreamConfig;
import io.portcullis.resilience.RetryBudget;
import io.portcullis.resilience.Scheduler;
import io.portcullis.resilience.Ticker;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * One configured upstream, process-wide: its endpoints, balancer, retry budget, and the
 * breakers of its endpoints. Breakers are per endpoint; a route that overrides breaker
 * settings gets its own set for the same endpoints (routes with equal effective settings share
 * one set). With DNS discovery its endpoints are the addresses its names resolved to (possibly
 * none yet); a new answer makes a new {@code Upstream} over this one, and the endpoints it no
 * longer has drain: requests that hold them finish, and they are listed as {@link #draining()}
 * until then.
 */
public final class Upstream {

  private final UpstreamConfig config;
  private final EndpointState[] endpoints;
  /** Endpoints a previous upstream had, gone from this one, with requests in flight when it was made. */
  private final EndpointState[] draining;
  private final Balancer balancer;
  private final RetryBudget retryBudget;
  private final ConcurrencyLimiter limiter;
  private final Map<BreakerConfig, BreakerSet> breakerSets = new ConcurrentHashMap<>();
  private final Vertx vertx;
  private final Ticker ticker;
  private final Scheduler scheduler;
  private final RandomGenerator random;
  private final EndpointBreaker.Listener listener;
  /** Breakers handed over by the upstream this one replaces, by settings then endpoint address. */
  private final Map<BreakerConfig, Map<String, EndpointBreaker>> inherited;

  /**
   * Builds the upstream's shared state; breakers are made on first use.
   *
   * @param ticker the clock of breakers and the retry budget
   * @param scheduler the breakers' timers
   * @param random the balancer's and the breakers' random source
   */
  public Upstream(Vertx vertx, UpstreamConfig config, Ticker ticker, Scheduler scheduler, RandomGenerator random,
                  EndpointBreaker.Listener listener) {
    this(vertx, config, ticker, scheduler, random, listener, null);
  }

  /**
   * Builds the upstream that replaces {@code previous} (null for none) after a configuration
   * change. An endpoint that both have (same address) keeps its state (in-flight count, failures,
   * health verdict) and, for each breaker setting both use, its breaker with its state; the
   * retry budget is kept when its settings are unchanged. The balancer starts afresh.
   */
  public Upstream(Vertx vertx, UpstreamConfig config, Ticker ticker, Scheduler scheduler, RandomGenerator random,
                  EndpointBreaker.Listener listener, Upstream previous) {
    this(vertx, config, config.endpoints(), ticker, scheduler, random, listener, previous);
  }

  /**
   * Builds the upstream over {@code addresses} (the configured endpoints, or with DNS discovery the
   * addresses resolved so far, possibly none) that replaces {@code previous} (null for none), as
   * {@link #Upstream(Vertx, UpstreamConfig, Ticker, Scheduler, RandomGenerator, EndpointBreaker.Listener, Upstream)}
   * does. An endpoint of {@code previous} that is not in {@code addresses} and still has requests
   * in flight is listed in {@link #draining()}.
   */
  public Upstream(Vertx vertx, UpstreamConfig config, List<Endpoint> addresses, Ticker ticker, Scheduler scheduler,
                  RandomGenerator random, EndpointBreaker.Listener listener, Upstream previous) {
    this.vertx = vertx;
    this.config = config;
    this.ticker = ticker;
    this.scheduler = scheduler;
    this.random = random;
    this.listener = listener;
    this.endpoints = new EndpointState[addresses.size()];
    Map<String, EndpointState> kept = new HashMap<>();
    if (previous != null && previous.name().equals(config.name())) {
      for (EndpointState state : previous.endpoints) {
        kept.put(state.address().toString(), state);
      }
      for (EndpointState state : previous.draining) {
        kept.putIfAbsent(state.address().toString(), state); // an address that came back
      }
    }
    for (int i = 0; i < endpoints.length; i++) {
      EndpointState before = kept.remove(addresses.get(i).toString());
      // Same address, same name it is addressed to: the same endpoint, state and all.
      endpoints[i] = before != null && before.address().equals(addresses.get(i)) ? before
          : new EndpointState(addresses.get(i));
    }
    List<EndpointState> gone = new ArrayList<>();
    for (EndpointState state : kept.values()) {
      if (state.inFlight() > 0) {
        gone.add(state);
      }
    }
    this.draining = gone.toArray(new EndpointState[0]);
    kept.clear(); // from here: the endpoints both have, whose breakers carry over
    for (EndpointState state : endpoints) {
      kept.put(state.address().toString(), state);
    }
    this.balancer = Balancer.of(config.balancer(), random);
    this.inherited = new HashMap<>();
    if (previous != null && previous.name().equals(config.name())) {
      previous.breakerSets.forEach((settings, set) -> {
        Map<String, EndpointBreaker> byEndpoint = new HashMap<>();
        for (EndpointBreaker b : set.breakers) {
          if (kept.containsKey(b.endpoint())) {
            byEndpoint.put(b.endpoint(), b);
          }
        }
        inherited.put(settings, byEndpoint);
      });
    }
    boolean sameBudget = previous != null && previous.name().equals(config.name())
        && previous.config.retry().budgetRatio() == config.retry().budgetRatio()
        && previous.config.retry().budgetMinPerSecond() == config.retry().budgetMinPerSecond();
    this.retryBudget = sameBudget ? previous.retryBudget
        : new RetryBudget(config.retry().budgetRatio(), config.retry().budgetMinPerSecond(), ticker);
    this.limiter = limiter(config.concurrency(),
        previous != null && previous.name().equals(config.name()) ? previous.limiter : null);
  }

  /** The upstream's name. */
  public String name() {
    return config.name();
  }

  /** Its configuration. */
  public UpstreamConfig config() {
    return config;
  }

  /** Its endpoints, in configured order (with DNS discovery: in order of name, then address). */
  public EndpointState[] endpoints() {
    return endpoints;
  }

  /**
   * Endpoints that earlier upstreams of this name had and this one does not (their address left
   * DNS), which still have requests in flight: they take no new request and are forgotten once
   * those finish.
   */
  public List<EndpointState> draining() {
    List<EndpointState> still = new ArrayList<>(draining.length);
    for (EndpointState state : draining) {
      if (state.inFlight() > 0) {
        still.add(state);
      }
    }
    return still;
  }

  /** Whether this upstream has exactly {@code addresses} as endpoints, in this order. */
  public boolean hasEndpoints(List<Endpoint> addresses) {
    if (addresses.size() != endpoints.length) {
      return false;
    }
    for (int i = 0; i < endpoints.length; i++) {
      if (!endpoints[i].address().equals(addresses.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** The process-wide retry budget of this upstream. */
  public RetryBudget retryBudget() {
    return retryBudget;
  }

  /**
   * The upstream's concurrency limit ({@code concurrency}, README "Overload: concurrency limits"),
   * shared by every event loop. A new upstream over a previous one of the same name keeps its
   * limiter when the settings are unchanged (with what it learned), and otherwise shares its
   * in-flight count, so requests admitted before a reload or a DNS answer still count.
   */
  public ConcurrencyLimiter limiter() {
    return limiter;
  }

  private static ConcurrencyLimiter limiter(ConcurrencyConfig c, ConcurrencyLimiter previous) {
    ConcurrencyLimiter.Mode mode = switch (c.mode()) {
      case OFF -> ConcurrencyLimiter.Mode.OFF;
      case FIXED -> ConcurrencyLimiter.Mode.FIXED;
      case ADAPTIVE -> ConcurrencyLimiter.Mode.ADAPTIVE;
    };
    return ConcurrencyLimiter.of(mode, c.initial(), c.min(), c.max(), previous);
  }

  /** The breakers of the upstream's own (non-overridden) settings. */
  public BreakerSet defaultBreakers() {
    return breakers(config.circuitBreaker());
  }

  /** The breaker set for {@code settings}, created once. */
  public BreakerSet breakers(BreakerConfig settings) {
    return breakerSets.computeIfAbsent(settings, s -> new BreakerSet(s));
  }

  /**
   * Forgets the breaker sets of settings not in {@code inUse} (the upstream's own settings are
   * always kept): after a reload no route uses them any more. Requests that still run on them
   * hold their set directly, so they are unaffected.
   */
  public void retainBreakerSets(Set<BreakerConfig> inUse) {
    breakerSets.keySet().removeIf(settings -> !settings.equals(config.circuitBreaker()) && !inUse.contains(settings));
  }

  /**
   * The state that {@code portcullis_circuit_state} shows for endpoint {@code index}: the least
   * open of its breakers' states across every breaker set, the upstream's own and those of routes
   * that override its breaker settings. Open outranks half-open, which outranks closed, so the
   * endpoint shows open when any route's traffic to it is being refused by a breaker.
   */
  public EndpointBreaker.State circuitState(int index) {
    EndpointBreaker.State worst = defaultBreakers().breaker(index).state();
    for (BreakerSet set : breakerSets.values()) {
      if (worst == EndpointBreaker.State.OPEN) {
        break;
      }
      if (index < set.size()) {
        EndpointBreaker.State state = set.breaker(index).state();
        if (state != EndpointBreaker.State.CLOSED) {
          worst = state; // worst is closed or half-open here: open ended the loop
        }
      }
    }
    return worst;
  }

  /** Every breaker set in use (for the admin view and metrics). */
  public Map<BreakerConfig, BreakerSet> allBreakerSets() {
    return Map.copyOf(breakerSets);
  }

  /** One breaker per endpoint for one set of breaker settings, with endpoint picking. */
  public final class BreakerSet {
    private final EndpointBreaker[] breakers;
    // Made once: a pick that has no tried endpoint to avoid (every first attempt) allocates nothing.
    private final Balancer.Eligibility openAndHealthy = i -> breakers()[i].allowsTraffic() && endpoints[i].healthy();
    private final Balancer.Eligibility open = i -> breakers()[i].allowsTraffic();

    private BreakerSet(BreakerConfig settings) {
      breakers = new EndpointBreaker[endpoints.length];
      Map<String, EndpointBreaker> handedOver = inherited.getOrDefault(settings, Map.of());
      for (int i = 0; i < endpoints.length; i++) {
        String address = endpoints[i].address().toString();
        EndpointBreaker before = handedOver.get(address);
        breakers[i] = before != null ? before
            : new EndpointBreaker(vertx, config.name(), address, settings, ticker, scheduler, random, listener);
      }
    }

    /** The breaker of endpoint {@code index}. */
    public EndpointBreaker breaker(int index) {
      return breakers[index];
    }

    /** Number of endpoints. */
    public int size() {
      return breakers.length;
    }

    /**
     * Picks an endpoint whose breaker lets traffic through and that is not marked unhealthy,
     * preferring one not in {@code triedMask} (bit i set: endpoint i already tried), and once
     * every such endpoint has been tried, one other than {@code last} (the endpoint of the attempt
     * before; -1 for none), so that a retry never goes back to the endpoint that just failed
     * while another can take it. Returns {@code -1} when every breaker is open. When every
     * available endpoint is unhealthy, health is ignored (a failing health check must not
     * outrank live traffic).
     */
    public int pick(long triedMask, int last) {
      if (breakers.length == 0) {
        return -1;
      }
      if (triedMask == 0) {
        int index = balancer.pick(endpoints, openAndHealthy);
        return index >= 0 ? index : balancer.pick(endpoints, open);
      }
      int index = balancer.pick(endpoints, i -> (triedMask & (1L << i)) == 0 && breakers[i].allowsTraffic()
          && endpoints[i].healthy());
      if (index < 0 && last >= 0) {
        index = balancer.pick(endpoints, i -> i != last && breakers[i].allowsTraffic() && endpoints[i].healthy());
      }
      if (index < 0) {
        index = balancer.pick(endpoints, openAndHealthy);
      }
      if (index < 0 && last >= 0) {
        index = balancer.pick(endpoints, i -> i != last && breakers[i].allowsTraffic());
      }
      if (index < 0) {
        index = balancer.pick(endpoints, open);
      }
      return index;
    }

    private EndpointBreaker[] breakers() {
      return breakers;
    }

    /** Whether any endpoint's breaker lets traffic through. */
    public boolean anyAvailable() {
      for (EndpointBreaker b : breakers) {
        if (b.allowsTraffic()) {
          return true;
        }
      }
      return false;
    }

    /** Whole seconds until the first breaker half-opens (at least 1), for {@code Retry-After}. */
    public long secondsUntilFirstHalfOpen() {
      long min = Long.MAX_VALUE;
      for (EndpointBreaker b : breakers) {
        min = Math.min(min, b.millisUntilHalfOpen());
      }
      if (min == Long.MAX_VALUE) {
        return 1;
      }
      return Math.max(1, (min + 999) / 1000);
    }
  }
}
