package io.portcullis.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/** Reads the {@code routes} array. */
final class RouteReader {

  /**
   * What was read of one route, sound or not, for the checks that need upstreams too.
   *
   * @param node the route's node
   * @param name its name, or null
   * @param timeoutMs its {@code timeoutMs}, or null if not given or invalid
   * @param timeoutValid whether {@code timeoutMs} is absent or sound
   * @param retry its retry override (a member with problems is null there: not overriding)
   * @param upstreams the existing upstreams it uses, each once
   * @param hedgeDelayMs its {@code hedge.delayMs}, or null if not given or invalid
   * @param config the route, or null if it has problems
   */
  record ParsedRoute(Node node, String name, Long timeoutMs, boolean timeoutValid, RetryOverride retry,
      Set<String> upstreams, Long hedgeDelayMs, RouteConfig config) {}

  private final Problems problems;
  private final PathRules pathRules;
  private final Set<String> upstreamNames;
  private final boolean redisGiven;
  private final Set<String> routeNames = new LinkedHashSet<>();

  /**
   * @param upstreamNames every upstream name given
   * @param redisGiven whether the document has a top-level {@code redis} (valid or not)
   */
  RouteReader(Problems problems, PathRules pathRules, Set<String> upstreamNames, boolean redisGiven) {
    this.problems = problems;
    this.pathRules = pathRules;
    this.upstreamNames = upstreamNames;
    this.redisGiven = redisGiven;
  }

  List<ParsedRoute> read(Node node) {
    if (!node.present()) {
      problems.add(node, "required");
      return List.of();
    }
    List<Node> elements = Fields.elements(node, problems);
    if (elements == null) {
      return List.of();
    }
    if (elements.isEmpty()) {
      problems.add(node, "must not be empty");
    }
    List<ParsedRoute> routes = new ArrayList<>();
    for (Node element : elements) {
      routes.add(route(element));
    }
    return routes;
  }

  private ParsedRoute route(Node node) {
    int mark = problems.mark();
    Fields f = Fields.open(node, problems,
        "name", "match", "upstream", "aggregate", "stripPrefix", "timeoutMs", "retry", "circuitBreaker",
        "websocket", "rateLimit", "hedge");
    String name = f.isObject() ? name(f) : null;
    MatchConfig match = match(f);
    Set<String> used = new LinkedHashSet<>();
    Optional<String> upstream = Optional.empty();
    if (f.has("upstream")) {
      String target = f.string("upstream", null);
      if (target != null) {
        upstream = Optional.of(target);
        checkUpstream(f.get("upstream"), target, used);
      }
    }
    List<AggregateBackendConfig> aggregate = f.has("aggregate") ? aggregate(f, match, used) : List.of();
    if (f.isObject() && f.has("upstream") == f.has("aggregate")) {
      problems.add(node.end(), "must have exactly one of \"upstream\" or \"aggregate\"");
    }
    Optional<String> stripPrefix = stripPrefix(f, match);
    int timeoutMark = problems.mark();
    // Above deadline.maxMs is not an error: the budget is capped there (README "deadline").
    Long timeoutMs = f.integer("timeoutMs", null, Range.atLeast(1));
    boolean timeoutValid = problems.cleanSince(timeoutMark);
    RetryOverride retry = PolicyReader.routeRetry(f.get("retry"), problems);
    BreakerOverride breaker = PolicyReader.routeBreaker(f.get("circuitBreaker"), problems);
    boolean websocket = f.bool("websocket", false);
    if (websocket && f.has("aggregate")) {
      problems.add(f.get("websocket"), "applies to proxy routes only (this route has \"aggregate\")");
    }
    Optional<RateLimitConfig> rateLimit = f.has("rateLimit") ? rateLimit(f.get("rateLimit")) : Optional.empty();
    Optional<HedgeConfig> hedge = Optional.empty();
    if (f.has("hedge")) {
      hedge = HedgeReader.read(f.get("hedge"), problems);
      if (f.has("aggregate")) {
        problems.add(f.get("hedge"), "applies to proxy routes only (this route has \"aggregate\")");
      } else if (websocket) {
        problems.add(f.get("hedge"), "not allowed on a WebSocket route (this route has \"websocket\": true)");
      }
    }
    RouteConfig config = null;
    if (problems.cleanSince(mark)) {
      config = new RouteConfig(name, match, upstream, aggregate, stripPrefix,
          timeoutMs == null ? OptionalLong.empty() : OptionalLong.of(timeoutMs), retry, breaker, websocket,
          rateLimit, hedge);
    }
    Long hedgeDelayMs = hedge.flatMap(h -> h.delayMs().isPresent() ? Optional.of(h.delayMs().getAsLong())
        : Optional.empty()).orElse(null);
    return new ParsedRoute(node, name, timeoutValid ? timeoutMs : null, timeoutValid, retry, used, hedgeDelayMs,
        config);
  }

  private Optional<RateLimitConfig> rateLimit(Node node) {
    Fields f = Fields.open(node, problems, "requestsPerSecond", "burst", "key", "scope");
    if (!f.isObject()) {
      return Optional.empty();
    }
    Double rate = null;
    if (!f.has("requestsPerSecond")) {
      problems.add(f.get("requestsPerSecond"), "required");
    } else {
      rate = f.number("requestsPerSecond", null, 0, 1e9, true);
      if (rate != null && rate <= 0) {
        problems.add(f.get("requestsPerSecond"), "must be > 0, got " + f.get("requestsPerSecond").shown());
        rate = null;
      }
    }
    Long burst = f.integer("burst", rate == null ? 1L : Math.max(1L, (long) Math.ceil(rate)), Range.between(1, 1_000_000_000L));
    String key = f.string("key", RateLimitConfig.DEFAULT_KEY);
    if (key != null && !key.equals("ip")) {
      boolean header = key.startsWith(RateLimitConfig.HEADER_KEY_PREFIX)
          && Syntax.isToken(key.substring(RateLimitConfig.HEADER_KEY_PREFIX.length()));
      if (!header) {
        problems.add(f.get("key"), "must be \"ip\" or \"header:NAME\" with NAME a header field name, got "
            + f.get("key").shown());
        key = null;
      }
    }
    int scopeMark = problems.mark();
    RateLimitScope scope =
        f.choice("scope", RateLimitConfig.DEFAULT_SCOPE, RateLimitScope.values(), RateLimitScope::jsonName);
    if (problems.cleanSince(scopeMark) && scope == RateLimitScope.CLUSTER && !redisGiven) {
      problems.add(f.get("scope"), "\"cluster\" needs a top-level \"redis\" object (the Redis that holds the "
          + "buckets), and there is none");
    }
    if (rate == null || burst == null || key == null || !problems.cleanSince(scopeMark)) {
      return Optional.empty();
    }
    return Optional.of(new RateLimitConfig(rate, burst, key, scope));
  }

  private String name(Fields f) {
    String name = f.requiredString("name");
    if (name != null) {
      if (name.isEmpty()) {
        problems.add(f.get("name"), "must not be empty");
      } else if (!routeNames.add(name)) {
        problems.add(f.get("name"), "duplicate route name " + Syntax.quote(name));
      }
    }
    return name;
  }

  private void checkUpstream(Node at, String target, Set<String> used) {
    if (upstreamNames.contains(target)) {
      used.add(target);
    } else {
      problems.add(at, "unknown upstream " + Syntax.quote(target));
    }
  }

  private MatchConfig match(Fields route) {
    Node node = route.get("match");
    if (!node.present()) {
      if (route.isObject()) {
        problems.add(node, "required");
      }
      return null;
    }
    int mark = problems.mark();
    Fields f = Fields.open(node, problems, "path", "pathPrefix", "methods");
    if (!f.isObject()) {
      return null;
    }
    Optional<String> path = Optional.empty();
    String exact = f.string("path", null);
    if (exact != null) {
      path = Optional.of(exact);
      String problem = Syntax.pathProblem(exact);
      if (problem != null) {
        problems.add(f.get("path"), problem);
      } else {
        pathRules.patternProblems(exact).forEach(p -> problems.add(f.get("path"), p));
      }
    }
    Optional<String> pathPrefix = Optional.empty();
    String prefix = f.string("pathPrefix", null);
    if (prefix != null) {
      pathPrefix = Optional.of(prefix);
      String problem = Syntax.pathProblem(prefix);
      if (problem == null && prefix.length() > 1 && prefix.endsWith("/")) {
        problem = "must not end with \"/\" (prefixes match whole segments), got " + Syntax.quote(prefix);
      } else if (problem == null && prefix.contains(":")) {
        problem = "must not contain \":\" (parameters are only allowed in match.path), got " + Syntax.quote(prefix);
      }
      if (problem != null) {
        problems.add(f.get("pathPrefix"), problem);
      }
    }
    if (f.has("path") == f.has("pathPrefix")) {
      problems.add(node.end(), "must have exactly one of \"path\" or \"pathPrefix\"");
    }
    Set<String> methods = f.set("methods", Set.of(), element -> PolicyReader.method(element, problems));
    return problems.cleanSince(mark) ? new MatchConfig(path, pathPrefix, methods) : null;
  }

  private List<AggregateBackendConfig> aggregate(Fields route, MatchConfig match, Set<String> used) {
    List<Node> elements = route.elements("aggregate");
    if (elements == null) {
      return null;
    }
    if (elements.isEmpty()) {
      problems.add(route.get("aggregate"), "must not be empty");
      return null;
    }
    List<AggregateBackendConfig> backends = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    for (Node element : elements) {
      Fields f = Fields.open(element, problems, "upstream", "path", "as", "required");
      if (!f.isObject()) {
        continue;
      }
      String upstream = f.requiredString("upstream");
      if (upstream != null) {
        checkUpstream(f.get("upstream"), upstream, used);
      }
      String path = f.requiredString("path");
      if (path != null) {
        checkBackendPath(f.get("path"), path, match);
      }
      String as = f.requiredString("as");
      if (as != null) {
        if (as.isEmpty()) {
          problems.add(f.get("as"), "must not be empty");
        } else if (!names.add(as)) {
          problems.add(f.get("as"), "duplicate backend name " + Syntax.quote(as));
        }
      }
      boolean required = f.bool("required", AggregateBackendConfig.DEFAULT_REQUIRED);
      if (upstream != null && path != null && as != null) {
        backends.add(new AggregateBackendConfig(upstream, path, as, required));
      }
    }
    return backends;
  }

  private void checkBackendPath(Node at, String path, MatchConfig match) {
    String problem = pathRules.templateProblem(path);
    if (problem != null) {
      problems.add(at, problem);
      return;
    }
    if (match == null) {
      return; // the route's own path is broken: its parameters are unknown
    }
    Set<String> parameters = match.path().map(pathRules::patternParameters).orElse(Set.of());
    String routePath = match.path()
        .map(p -> "(route path " + Syntax.quote(p) + ")")
        .orElseGet(() -> "(route pathPrefix " + Syntax.quote(match.pathPrefix().orElseThrow()) + " has no parameters)");
    for (String use : pathRules.templatePlaceholders(path)) {
      if (!parameters.contains(use)) {
        problems.add(at, "unknown parameter \":" + use + "\" " + routePath);
      }
    }
  }

  private Optional<String> stripPrefix(Fields route, MatchConfig match) {
    String strip = route.string("stripPrefix", null);
    if (strip == null) {
      return Optional.empty();
    }
    Node at = route.get("stripPrefix");
    if (route.has("aggregate") && !route.has("upstream")) {
      problems.add(at, "not allowed on an aggregate route");
      return Optional.of(strip);
    }
    String problem = Syntax.pathProblem(strip);
    if (problem != null) {
      problems.add(at, problem);
    } else if (match != null && match.pathPrefix().isPresent()) {
      String prefix = match.pathPrefix().get();
      if (!Syntax.isWholeSegmentPrefix(strip, prefix)) {
        problems.add(at, "must be a whole-segment prefix of match.pathPrefix " + Syntax.quote(prefix) + ", got "
            + Syntax.quote(strip));
      }
    } else if (match != null && match.path().isPresent()) {
      String path = match.path().get();
      // Parameter segments vary per request: only literal leading segments can be stripped.
      if (!Syntax.isWholeSegmentPrefix(strip, path) || strip.contains(":")) {
        problems.add(at, "must be a whole-segment prefix of match.path " + Syntax.quote(path) + ", got "
            + Syntax.quote(strip));
      }
    }
    return Optional.of(strip);
  }
}
