package io.portcullis.upstream.discovery;

import io.portcullis.config.Endpoint;
import io.portcullis.config.GatewayConfig;
import io.portcullis.config.UpstreamConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last known addresses of every configured endpoint whose host name DNS discovery resolves,
 * and the endpoints an upstream has from them. Written by the {@link DiscoveryVerticle} when an
 * answer changes, read whenever a configuration snapshot is built (on any thread).
 *
 * <p>An upstream without {@code discovery.dns} has its configured endpoints. One with it has, for
 * each configured endpoint in order: the endpoint itself when its host is an IP address (nothing
 * to resolve), else one endpoint per address its name last resolved to ({@code http://ADDRESS:PORT},
 * addressed to the name; none until a first answer). An address that two names share is one
 * endpoint, the first's. Addresses are kept until an answer replaces them, through a reload that
 * keeps the endpoint (a changed {@code refreshMs} or {@code dns.servers} included): a failed or
 * empty answer never empties an upstream.
 */
public final class DiscoveredEndpoints {

  /** Addresses by upstream name, then by configured endpoint. */
  private final Map<String, Map<Endpoint, List<String>>> addresses = new ConcurrentHashMap<>();

  /** The endpoints {@code upstream} has now. */
  public List<Endpoint> endpoints(UpstreamConfig upstream) {
    if (!upstream.discovery().dns()) {
      return upstream.endpoints();
    }
    Map<Endpoint, List<String>> known = addresses.getOrDefault(upstream.name(), Map.of());
    Set<String> seen = new LinkedHashSet<>();
    List<Endpoint> result = new ArrayList<>();
    for (Endpoint configured : upstream.endpoints()) {
      if (configured.hostIsIpLiteral()) {
        if (seen.add(configured.toString())) {
          result.add(configured);
        }
        continue;
      }
      for (String address : known.getOrDefault(configured, List.of())) {
        Endpoint resolved = configured.resolvedTo(address);
        if (seen.add(resolved.toString())) {
          result.add(resolved);
        }
      }
    }
    return List.copyOf(result);
  }

  /**
   * Records that {@code endpoint}'s name of {@code upstream} now resolves to {@code resolved}.
   *
   * @return whether that changes what is known
   */
  public boolean update(String upstream, Endpoint endpoint, List<String> resolved) {
    Map<Endpoint, List<String>> byEndpoint = addresses.computeIfAbsent(upstream, k -> new ConcurrentHashMap<>());
    List<String> before = byEndpoint.put(endpoint, List.copyOf(resolved));
    return !resolved.equals(before);
  }

  /** Forgets the addresses of every endpoint {@code config} no longer resolves. */
  public void retain(GatewayConfig config) {
    Map<String, Set<Endpoint>> wanted = new HashMap<>();
    for (UpstreamConfig upstream : config.upstreams().values()) {
      if (upstream.discovery().dns()) {
        wanted.put(upstream.name(), Set.copyOf(upstream.endpoints()));
      }
    }
    addresses.keySet().retainAll(wanted.keySet());
    addresses.forEach((upstream, byEndpoint) -> byEndpoint.keySet().retainAll(wanted.get(upstream)));
  }
}
