package io.portcullis.upstream.discovery;

import io.portcullis.resilience.Scheduler;
import io.netty.resolver.dns.DnsNameResolverTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.dns.DnsClient;
import io.vertx.core.dns.DnsClientOptions;
import io.vertx.core.dns.DnsException;
import io.vertx.core.dns.DnsResponseCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The addresses of one host name, kept current by asking DNS every {@code refreshMs} (README
 * "Configuration reference", {@code upstreams.NAME}): A and AAAA, with Vert.x's DNS client, from
 * the configured name servers in order (the next one when one fails or does not answer; an
 * {@code NXDOMAIN} is final) or, with none configured, from the system's first resolver.
 *
 * <ul>
 *   <li>A resolution succeeds when both queries are answered {@code NOERROR}; its addresses are
 *       the union of both answers. It succeeds too when one query answers with addresses and the
 *       other fails with anything but {@code NXDOMAIN} (dnsmasq, for one, answers {@code REFUSED}
 *       to AAAA for a name it holds only A records of): the answer's addresses plus the last known
 *       ones of the other family; one warning per streak. The listener hears the set (sorted,
 *       immutable, never empty) only when it differs from the last one it heard.</li>
 *   <li>Anything else keeps the last known set: {@code NXDOMAIN}, {@code SERVFAIL} or another
 *       error code, no answer within the query timeout, an answer that cannot be decoded, an empty
 *       answer (no address of either family). Each streak of failed resolutions logs one warning;
 *       the first success after it logs one line.</li>
 *   <li>Records are asked for directly (no cache): {@code refreshMs} governs how fresh the set is,
 *       whatever the records' TTL. A name that is a {@code CNAME} resolves to nothing: the
 *       answer's records must carry the name asked for.</li>
 * </ul>
 *
 * <p>Confined to the event loop that calls {@link #start}: queries, timers and the listener all
 * run there. The next resolution is scheduled {@code refreshMs} after the previous one ends, so
 * resolutions never overlap; {@link #close} cancels the timer and ignores answers still on their
 * way.
 */
public final class DnsDiscovery implements AutoCloseable {

  /** Default wait for one DNS answer before the next server is asked. */
  public static final long DEFAULT_QUERY_TIMEOUT_MS = 2_000;

  private static final Logger LOG = LoggerFactory.getLogger(DnsDiscovery.class);

  /** A name server to ask: {@code dns.servers} entries, {@code host:port}. */
  public record NameServer(String host, int port) {

    /** Checks the port. */
    public NameServer {
      Objects.requireNonNull(host, "host");
      if (port < 1 || port > 65_535) {
        throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
      }
    }

    @Override
    public String toString() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }

  private final String name;
  private final long refreshMs;
  private final long queryTimeoutMs;
  private final Scheduler scheduler;
  private final Consumer<List<String>> listener;
  private final List<DnsClient> clients = new ArrayList<>();
  private final List<String> serverNames = new ArrayList<>();
  private List<String> current = List.of();
  private Scheduler.Cancellable timer;
  private boolean failing;
  /** True while one family's query fails and the other's answer is used (logged once). */
  private boolean partial;
  private boolean closed;

  /**
   * Discovery of {@code name}, not started.
   *
   * @param vertx the Vert.x instance whose DNS client asks
   * @param name the host name to resolve
   * @param servers the name servers to ask in order; empty for the system's resolver
   * @param refreshMs the time between the end of one resolution and the start of the next, {@code >= 1}
   * @param queryTimeoutMs the wait for one server's answer, {@code >= 1}
   * @param scheduler the timers ({@code Scheduler.of(vertx)} in production)
   * @param listener told the new address set, on the event loop, whenever it changes
   */
  public DnsDiscovery(Vertx vertx, String name, List<NameServer> servers, long refreshMs, long queryTimeoutMs,
                      Scheduler scheduler, Consumer<List<String>> listener) {
    if (refreshMs < 1) {
      throw new IllegalArgumentException("refreshMs: " + refreshMs + " (expected: >= 1)");
    }
    if (queryTimeoutMs < 1) {
      throw new IllegalArgumentException("queryTimeoutMs: " + queryTimeoutMs + " (expected: >= 1)");
    }
    this.name = Objects.requireNonNull(name, "name");
    this.refreshMs = refreshMs;
    this.queryTimeoutMs = queryTimeoutMs;
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.listener = Objects.requireNonNull(listener, "listener");
    if (servers.isEmpty()) {
      clients.add(vertx.createDnsClient(new DnsClientOptions().setQueryTimeout(queryTimeoutMs)));
      serverNames.add("the system's resolver");
    }
    for (NameServer server : servers) {
      clients.add(vertx.createDnsClient(new DnsClientOptions().setHost(server.host()).setPort(server.port())
          .setQueryTimeout(queryTimeoutMs)));
      serverNames.add(server.toString());
    }
  }

  /** Starts resolving, at once, on the calling event loop. */
  public void start() {
    resolve();
  }

  /** The last known addresses: empty until a first resolution succeeds. */
  public List<String> current() {
    return current;
  }

  /** The host name. */
  public String name() {
    return name;
  }

  private void resolve() {
    timer = null;
    if (closed) {
      return;
    }
    ask(0, null).onComplete(ar -> {
      if (closed) {
        return;
      }
      if (ar.succeeded()) {
        resolved(ar.result());
      } else {
        failed(ar.cause().getMessage());
      }
      timer = scheduler.schedule(refreshMs, this::resolve);
    });
  }

  /**
   * Asks server {@code index} and, unless it answers or says the name does not exist, the ones after
   * it. Fails with the last server's problem.
   */
  private Future<List<String>> ask(int index, String problems) {
    if (index == clients.size()) {
      return Future.failedFuture(problems);
    }
    DnsClient client = clients.get(index);
    String server = serverNames.get(index);
    Future<List<String>> v4 = client.resolveA(name);
    Future<List<String>> v6 = client.resolveAAAA(name);
    return Future.join(v4, v6).transform(ar -> {
      if (ar.succeeded()) {
        partial = false;
        TreeSet<String> addresses = new TreeSet<>(v4.result());
        addresses.addAll(v6.result());
        if (addresses.isEmpty()) {
          return Future.failedFuture("no A or AAAA record from " + server);
        }
        return Future.succeededFuture(List.copyOf(addresses));
      }
      String problem = problem(v4.failed() ? v4.cause() : v6.cause()) + " from " + server;
      if (isNxDomain(v4) || isNxDomain(v6)) {
        return Future.failedFuture(problem);
      }
      Future<List<String>> answered = v4.succeeded() ? v4 : v6.succeeded() ? v6 : null;
      if (answered != null && !answered.result().isEmpty()) {
        return Future.succeededFuture(oneFamily(answered.result(), answered == v6, problem));
      }
      return ask(index + 1, problems == null ? problem : problems + "; " + problem);
    });
  }

  /**
   * One family answered with addresses and the other's query failed (many small resolvers, dnsmasq
   * among them, refuse AAAA for a name they only hold A records of): the answer's addresses, plus
   * the last known ones of the family that did not answer. Logged once per streak.
   */
  private List<String> oneFamily(List<String> answer, boolean answerIsV6, String problem) {
    if (!partial) {
      partial = true;
      LOG.warn("DNS: {}: the {} query failed ({}); using the {} answer{}", name, answerIsV6 ? "A" : "AAAA", problem,
          answerIsV6 ? "AAAA" : "A", current.isEmpty() ? "" : " and the last known addresses of the other family");
    }
    TreeSet<String> addresses = new TreeSet<>(answer);
    for (String known : current) {
      if ((known.indexOf(':') >= 0) != answerIsV6) {
        addresses.add(known);
      }
    }
    return List.copyOf(addresses);
  }

  private static boolean isNxDomain(Future<?> query) {
    return query.failed() && query.cause() instanceof DnsException e && e.code() == DnsResponseCode.NXDOMAIN;
  }

  private String problem(Throwable cause) {
    if (cause instanceof DnsException e) {
      return e.code().name();
    }
    if (cause instanceof DnsNameResolverTimeoutException) {
      return "no answer within " + queryTimeoutMs + " ms";
    }
    String message = cause.getMessage();
    return message == null ? cause.getClass().getSimpleName() : message;
  }

  private void resolved(List<String> addresses) {
    if (failing) {
      failing = false;
      LOG.info("DNS: {} resolves again, to {}", name, addresses);
    }
    if (!addresses.equals(current)) {
      if (!current.isEmpty()) {
        LOG.info("DNS: {} now resolves to {} (was {})", name, addresses, current);
      }
      current = addresses;
      listener.accept(addresses);
    }
  }

  private void failed(String problem) {
    if (!failing) {
      failing = true;
      LOG.warn("DNS: cannot resolve {} ({}); {}", name, problem, current.isEmpty()
          ? "no address known yet" : "keeping the last known " + current);
    }
  }

  /** Stops: no more queries; an answer still on its way is ignored. */
  @Override
  public void close() {
    closed = true;
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
    for (DnsClient client : clients) {
      client.close();
    }
  }
}
