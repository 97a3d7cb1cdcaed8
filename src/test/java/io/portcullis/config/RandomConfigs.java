package io.portcullis.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
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

  private static final List<String> CIDRS = List.of("10.0.0.0/8", "127.0.0.1/32", "0.0.0.0/0", "192.168.1.0/24",
      "::1/128", "fd00::/8", "::/0", "2001:db8::/32", "::ffff:10.0.0.0/104");
  private static final List<String> DNS_SERVERS = List.of("127.0.0.1:5353", "10.0.0.2:53", "[::1]:53", "[fd00::1]:1");
  private static final List<String> REDIS_URLS = List.of("redis://127.0.0.1:6379", "rediss://:secret@redis.internal:6380/2",
      "redis://user:pw@[::1]:6379/0", "redis://redis_cache");

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

    Optional<RedisConfig> redis = random.nextBoolean()
        ? Optional.of(new RedisConfig(pick(REDIS_URLS), randomLong(1, 1000)))
        : Optional.empty();
    List<RouteConfig> routes = new ArrayList<>();
    int routeCount = between(1, 4);
    for (int i = 0; i < routeCount; i++) {
      routes.add(route("r" + i, names, floorMs, maxMs, smallestCap, largestBase, redis.isPresent()));
    }
    List<CidrBlock> trusted = new ArrayList<>();
    subset(CIDRS).forEach(text -> trusted.add(CidrBlock.parse(text)));
    List<DnsServer> dnsServers = new ArrayList<>();
    subset(DNS_SERVERS).forEach(text -> dnsServers.add(DnsServer.parse(text)));
    return new GatewayConfig(
        new ServerConfig(pick(List.of("0.0.0.0", "127.0.0.1", "::")), serverPort, between(0, 64),
            between(1024, 1 << 20), randomLong(0, 100_000_000_000L), randomLong(0, 1_000_000), Optional.empty(),
            random.nextBoolean(), random.nextBoolean(), between(1, 1000), random.nextBoolean(), trusted,
            between(1, 100)),
        new AdminConfig(pick(List.of("127.0.0.1", "0.0.0.0")), adminPort),
        new ShutdownConfig(randomLong(0, 60_000), randomLong(0, 60_000)),
        new DeadlineConfig(pick(List.of("X-Request-Timeout-Ms", "x-deadline", "Deadline!")), defaultMs, maxMs),
        new AccessLogConfig(random.nextBoolean()),
        upstreams,
        routes,
        TracingConfig.defaults(),
        ReloadConfig.defaults(),
        redis,
        new DnsConfig(dnsServers));
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
    int max = between(1, 5000);
    int min = between(1, max);
    ConcurrencyConfig concurrency =
        new ConcurrencyConfig(pick(List.of(ConcurrencyMode.values())), between(min, max), min, max);
    PoolConfig pool = new PoolConfig(between(1, 4096),
        random.nextBoolean() ? OptionalInt.empty() : OptionalInt.of(between(0, 100_000)));
    DiscoveryConfig discovery = new DiscoveryConfig(random.nextBoolean(), randomLong(1, 600_000));
    return new UpstreamConfig(name, List.copyOf(endpoints), pick(List.of(BalancerKind.values())),
        between(1, 100_000), breaker(), retry, healthCheck, UpstreamTlsConfig.defaults(), concurrency, pool,
        discovery);
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
      long largestBase, boolean redis) {
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
      boolean websocket = random.nextInt(4) == 0;
      Optional<HedgeConfig> hedge = Optional.empty();
      if (!websocket && random.nextBoolean()) {
        hedge = random.nextBoolean() && floorMs > 1
            ? Optional.of(HedgeConfig.afterDelay(randomLong(1, floorMs - 1), between(1, 9)))
            : Optional.of(HedgeConfig.atPercentile(pick(List.of(50.0, 95.0, 99.9, 0.5)), between(1, 9)));
      }
      return new RouteConfig(name, match, Optional.of(pick(upstreams)), List.of(), strip, timeout, retry, breaker,
          websocket, rateLimit(redis), hedge);
    }
    List<AggregateBackendConfig> backends = new ArrayList<>();
    int count = between(1, 3);
    for (int i = 0; i < count; i++) {
      String path = pattern.contains(":id") ? "/backend/:id" : "/backend/" + i + "?q=1";
      backends.add(new AggregateBackendConfig(pick(upstreams), path, "part" + i, random.nextBoolean()));
    }
    return new RouteConfig(name, match, Optional.empty(), backends, Optional.empty(), timeout, retry, breaker,
        false, rateLimit(redis), Optional.empty());
  }

  /** No limit, or a bucket of either scope ({@code cluster} only where there is a Redis). */
  private Optional<RateLimitConfig> rateLimit(boolean redis) {
    if (random.nextBoolean()) {
      return Optional.empty();
    }
    RateLimitScope scope = redis && random.nextBoolean() ? RateLimitScope.CLUSTER : RateLimitScope.INSTANCE;
    return Optional.of(new RateLimitConfig(pick(List.of(0.5, 1.0, 10.0, 2500.0)), between(1, 1000),
        pick(List.of("ip", "header:X-Api-Key")), scope));
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
