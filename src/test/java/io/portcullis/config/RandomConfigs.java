package io.portcullis.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Valid {@link GatewayConfig}s drawn from a seeded generator: every option somewhere in its range,
 * overrides present or not, and the coherence rules respected (per-try timeouts below every route
 * timeout, backoff caps not below their bases).
 */
final class RandomConfigs {

  private static final List<String> HOSTS = List.of("127.0.0.1", "10.1.2.3", "::1", "example.com", "a-b.internal");
  private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "M-1");
  private static final List<String> CONDITIONS = List.of("connect-failure", "reset", "per-try-timeout", "100", "429",
      "500", "502", "503", "504", "599");

  private final Random random;

  RandomConfigs(long seed) {
    this.random = new Random(seed);
  }

  GatewayConfig next() {
    int serverPort = between(0, 65535);
    int adminPort = between(0, 65535);
    if (adminPort == serverPort && adminPort != 0) {
      adminPort = 0;
    }
    long maxMs = between(1, 120_000);
    long floorMs = between(1, (int) maxMs); // every route timeout is at least this
    long defaultMs = between((int) floorMs, (int) maxMs);

    Map<String, UpstreamConfig> upstreams = new LinkedHashMap<>();
    int upstreamCount = between(1, 3);
    for (int i = 0; i < upstreamCount; i++) {
      String name = pick(List.of("users", "orders", "a.b", "x_y-1")) + i;
      upstreams.put(name, upstream(name, floorMs));
    }
    long smallestCap = upstreams.values().stream().mapToLong(u -> u.retry().maxDelayMs()).min().orElseThrow();
    long largestBase = upstreams.values().stream().mapToLong(u -> u.retry().baseDelayMs()).max().orElseThrow();
    List<String> names = List.copyOf(upstreams.keySet());

    List<RouteConfig> routes = new ArrayList<>();
    int routeCount = between(1, 4);
    for (int i = 0; i < routeCount; i++) {
      routes.add(route("r" + i, names, floorMs, maxMs, smallestCap, largestBase));
    }
    return new GatewayConfig(
        new ServerConfig(pick(List.of("0.0.0.0", "127.0.0.1", "::")), serverPort, between(0, 64),
            between(1024, 1 << 20), randomLong(0, 100_000_000_000L), randomLong(0, 1_000_000)),
        new AdminConfig(pick(List.of("127.0.0.1", "0.0.0.0")), adminPort),
        new ShutdownConfig(randomLong(0, 60_000), randomLong(0, 60_000)),
        new DeadlineConfig(pick(List.of("X-Request-Timeout-Ms", "x-deadline", "Deadline!")), defaultMs, maxMs),
        new AccessLogConfig(random.nextBoolean()),
        upstreams,
        routes);
  }

  private UpstreamConfig upstream(String name, long floorMs) {
    Set<Endpoint> endpoints = new LinkedHashSet<>();
    int count = between(1, 3);
    while (endpoints.size() < count) {
      endpoints.add(new Endpoint(pick(List.of("http", "https")), pick(HOSTS), between(1, 65535)));
    }
    long base = between(1, 1000);
    RetryConfig retry = new RetryConfig(between(1, 10), base, randomLong(base, 10_000),
        pick(List.of(JitterMode.values())), perTry(floorMs), subset(CONDITIONS), subset(METHODS),
        random.nextDouble(), random.nextBoolean() ? between(0, 100) : random.nextDouble() * 50);
    Optional<HealthCheckConfig> healthCheck = Optional.empty();
    if (random.nextBoolean()) {
      long interval = between(2, 100_000);
      healthCheck = Optional.of(new HealthCheckConfig("/health/" + between(0, 9), interval,
          randomLong(1, interval - 1), between(1, 10), between(1, 10)));
    }
    return new UpstreamConfig(name, List.copyOf(endpoints), pick(List.of(BalancerKind.values())),
        between(1, 100_000), breaker(), retry, healthCheck);
  }

  private BreakerConfig breaker() {
    Set<Integer> statuses = new LinkedHashSet<>();
    int count = between(0, 5);
    for (int i = 0; i < count; i++) {
      statuses.add(between(100, 599));
    }
    return new BreakerConfig(between(1, 100), randomLong(1000, 1_000_000), randomLong(1, 1_000_000), statuses);
  }

  private RouteConfig route(String name, List<String> upstreams, long floorMs, long maxMs, long smallestCap,
      long largestBase) {
    boolean exact = random.nextBoolean();
    MatchConfig match = exact
        ? new MatchConfig(Optional.of(pick(List.of("/", "/api/:id", "/a/:x/b/:y_2", "/v1/things"))), Optional.empty(),
            subset(METHODS))
        : new MatchConfig(Optional.empty(), Optional.of(pick(List.of("/", "/api", "/api/users"))), subset(METHODS));
    String pattern = match.path().or(match::pathPrefix).orElseThrow();
    OptionalLong timeout = random.nextBoolean() ? OptionalLong.empty() : OptionalLong.of(randomLong(floorMs, maxMs));
    RetryOverride retry = random.nextBoolean() ? RetryOverride.NONE : retryOverride(floorMs, smallestCap, largestBase);
    BreakerOverride breaker = RetryOverride.NONE.equals(retry) && random.nextBoolean()
        ? BreakerOverride.NONE
        : new BreakerOverride(maybe(() -> between(1, 50)), maybe(() -> randomLong(1000, 60_000)),
            maybe(() -> randomLong(1, 60_000)), maybe(() -> breaker().failureStatuses()));
    if (random.nextBoolean()) {
      Optional<String> strip = random.nextBoolean() ? Optional.empty()
          : Optional.of(exact ? "/" : pick(List.of("/", pattern)));
      return new RouteConfig(name, match, Optional.of(pick(upstreams)), List.of(), strip, timeout, retry, breaker);
    }
    List<AggregateBackendConfig> backends = new ArrayList<>();
    int count = between(1, 3);
    for (int i = 0; i < count; i++) {
      String path = pattern.contains(":id") ? "/backend/:id" : "/backend/" + i + "?q=1";
      backends.add(new AggregateBackendConfig(pick(upstreams), path, "part" + i, random.nextBoolean()));
    }
    return new RouteConfig(name, match, Optional.empty(), backends, Optional.empty(), timeout, retry, breaker);
  }

  private RetryOverride retryOverride(long floorMs, long smallestCap, long largestBase) {
    Long base = null;
    Long cap = null;
    switch (between(0, 3)) {
      case 1 -> base = randomLong(1, smallestCap);
      case 2 -> cap = randomLong(largestBase, 20_000);
      case 3 -> {
        base = randomLong(1, 5000);
        cap = randomLong(base, 20_000);
      }
      default -> { }
    }
    return new RetryOverride(maybe(() -> between(1, 10)), base, cap, maybe(() -> pick(List.of(JitterMode.values()))),
        maybe(() -> perTry(floorMs)), maybe(() -> subset(CONDITIONS)), maybe(() -> subset(METHODS)),
        maybe(random::nextDouble), maybe(() -> (double) between(0, 1000)));
  }

  /** 0 (off) or a per-try timeout below every route timeout. */
  private long perTry(long floorMs) {
    return floorMs <= 1 || random.nextBoolean() ? 0 : randomLong(1, floorMs - 1);
  }

  private <T> T maybe(Supplier<T> value) {
    return random.nextBoolean() ? value.get() : null;
  }

  private <T> Set<T> subset(List<T> items) {
    Set<T> chosen = new LinkedHashSet<>();
    for (T item : items) {
      if (random.nextInt(3) == 0) {
        chosen.add(item);
      }
    }
    return chosen;
  }

  private <T> T pick(List<T> items) {
    return items.get(random.nextInt(items.size()));
  }

  private int between(int min, int max) {
    return min + random.nextInt(max - min + 1);
  }

  private long randomLong(long min, long max) {
    return min + (long) (random.nextDouble() * (max - min + 1)) % (max - min + 1);
  }
}
