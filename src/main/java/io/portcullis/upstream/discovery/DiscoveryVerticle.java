package io.portcullis.upstream.discovery;

import io.portcullis.config.DnsServer;
import io.portcullis.config.Endpoint;
import io.portcullis.config.GatewayConfig;
import io.portcullis.config.UpstreamConfig;
import io.portcullis.resilience.Scheduler;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs DNS discovery ({@code upstreams.NAME.discovery}; README "Configuration reference") on one
 * event loop: one {@link DnsDiscovery} per endpoint host name of every upstream with
 * {@code discovery.dns}, asking {@code dns.servers}. When a name's answer changes, the new
 * addresses go into the shared {@link DiscoveredEndpoints} and the gateway is told (it then
 * builds and publishes a configuration snapshot with the new endpoints, as a reload does).
 *
 * <p>It follows reloads: a name no longer configured stops being resolved; a changed
 * {@code refreshMs} or {@code dns.servers} restarts its resolution, keeping the last known
 * addresses until the first new answer. Nothing here blocks or waits: start-up does not wait for
 * DNS.
 */
public final class DiscoveryVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(DiscoveryVerticle.class);

  /** One resolution: which name of which upstream, and how. */
  private record Key(String upstream, Endpoint endpoint, long refreshMs, List<DnsServer> servers) {
  }

  private final DiscoveredEndpoints registry;
  private final Runnable changed;
  private final long queryTimeoutMs;
  private final Map<Key, DnsDiscovery> running = new HashMap<>();
  private GatewayConfig initial;
  private Scheduler scheduler;
  private boolean stopped;

  /**
   * Discovery for the upstreams of {@code config} once deployed.
   *
   * @param registry where the addresses go
   * @param changed told, on this verticle's event loop, each time {@code registry} changed
   * @param queryTimeoutMs the wait for one DNS server's answer before the next is asked
   */
  public DiscoveryVerticle(GatewayConfig config, DiscoveredEndpoints registry, Runnable changed,
                           long queryTimeoutMs) {
    this.initial = Objects.requireNonNull(config, "config");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.changed = Objects.requireNonNull(changed, "changed");
    this.queryTimeoutMs = queryTimeoutMs;
  }

  @Override
  public Future<?> start() {
    scheduler = Scheduler.of(vertx);
    follow(initial);
    initial = null;
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    running.values().forEach(DnsDiscovery::close);
    running.clear();
    return Future.succeededFuture();
  }

  /**
   * Follows the upstreams of a new configuration, on this verticle's event loop; completes once
   * done. Never fails (a failure is logged).
   */
  public Future<Void> adopt(GatewayConfig config, long generation) {
    Promise<Void> adopted = Promise.promise();
    context.runOnContext(v -> {
      try {
        if (!stopped) {
          follow(config);
        }
      } catch (RuntimeException e) {
        LOG.error("DNS discovery could not follow configuration generation {}", generation, e);
      }
      adopted.complete();
    });
    return adopted.future();
  }

  /** Names being resolved now (for tests). */
  int resolving() {
    return running.size();
  }

  private void follow(GatewayConfig config) {
    registry.retain(config);
    List<DnsServer> servers = config.dns().servers();
    Set<Key> wanted = new HashSet<>();
    for (UpstreamConfig upstream : config.upstreams().values()) {
      if (!upstream.discovery().dns()) {
        continue;
      }
      for (Endpoint endpoint : upstream.endpoints()) {
        if (!endpoint.hostIsIpLiteral()) {
          wanted.add(new Key(upstream.name(), endpoint, upstream.discovery().refreshMs(), servers));
        }
      }
    }
    running.entrySet().removeIf(entry -> {
      if (wanted.contains(entry.getKey())) {
        return false;
      }
      entry.getValue().close();
      return true;
    });
    List<DnsDiscovery.NameServer> nameServers = servers.stream()
        .map(s -> new DnsDiscovery.NameServer(s.address(), s.port())).toList();
    for (Key key : wanted) {
      if (!running.containsKey(key)) {
        DnsDiscovery discovery = new DnsDiscovery(vertx, key.endpoint().host(), nameServers, key.refreshMs(),
            queryTimeoutMs, scheduler, addresses -> resolved(key, addresses));
        running.put(key, discovery);
        discovery.start();
      }
    }
  }

  private void resolved(Key key, List<String> addresses) {
    if (stopped || !running.containsKey(key)) {
      return;
    }
    if (registry.update(key.upstream(), key.endpoint(), addresses)) {
      changed.run();
    }
  }
}
