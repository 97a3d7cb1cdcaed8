package io.portcullis.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the settings that name other machines by address: {@code server.trustedProxies}, the
 * top-level {@code redis} and {@code dns} objects. Nothing here resolves a name.
 */
final class NetworkReader {

  /**
   * A Vert.x Redis connection string: {@code redis://[[user]:password@]host[:port][/db]}, or
   * {@code rediss://}; the host a name, an IPv4 address or a bracketed IPv6 address.
   */
  private static final Pattern REDIS_URL = Pattern.compile(
      "rediss?://(?:[^@/?#\\s]*@)?(?:[A-Za-z0-9._-]+|\\[[0-9A-Fa-f:.]+\\])(?::([0-9]{1,5}))?(?:/[0-9]{0,9})?");

  private final Problems problems;

  NetworkReader(Problems problems) {
    this.problems = problems;
  }

  /** {@code server.trustedProxies}: CIDR blocks (or bare addresses); empty if absent or invalid. */
  List<CidrBlock> trustedProxies(Fields server) {
    List<Node> elements = server.elements("trustedProxies");
    if (elements == null) {
      return List.of();
    }
    int mark = problems.mark();
    List<CidrBlock> blocks = new ArrayList<>();
    for (Node element : elements) {
      String text = Fields.string(element, problems, null);
      if (text == null) {
        continue;
      }
      CidrBlock block = CidrBlock.parse(text);
      if (block == null) {
        problems.add(element, "not a CIDR block: " + element.shown() + " (expected ADDRESS/BITS like "
            + "\"10.0.0.0/8\" or \"fd00::/8\")");
      } else {
        blocks.add(block);
      }
    }
    return problems.cleanSince(mark) ? blocks : List.of();
  }

  /** The top-level {@code redis} object; empty if absent or invalid. */
  Optional<RedisConfig> redis(Node node) {
    if (!node.present()) {
      return Optional.empty();
    }
    int mark = problems.mark();
    Fields f = Fields.open(node, problems, "endpoint", "timeoutMs");
    if (!f.isObject()) {
      return Optional.empty();
    }
    String endpoint = f.requiredString("endpoint");
    if (endpoint != null && !isRedisUrl(endpoint)) {
      problems.add(f.get("endpoint"), "must be a Redis URL like \"redis://host:6379\" "
          + "(redis://[:password@]host[:port][/db], or rediss:// for TLS), got " + f.get("endpoint").shown());
    }
    long timeoutMs = f.integer("timeoutMs", RedisConfig.DEFAULT_TIMEOUT_MS, Range.atLeast(1));
    return problems.cleanSince(mark) ? Optional.of(new RedisConfig(endpoint, timeoutMs)) : Optional.empty();
  }

  /** The top-level {@code dns} object; the defaults if absent or invalid. */
  DnsConfig dns(Node node) {
    Fields f = Fields.open(node, problems, "servers");
    List<Node> elements = f.elements("servers");
    if (elements == null) {
      return DnsConfig.defaults();
    }
    int mark = problems.mark();
    List<DnsServer> servers = new ArrayList<>();
    for (Node element : elements) {
      String text = Fields.string(element, problems, null);
      if (text == null) {
        continue;
      }
      DnsServer server = DnsServer.parse(text);
      if (server == null) {
        problems.add(element, "must be an IP address with an optional port, like \"127.0.0.1:53\" or "
            + "\"[::1]:53\", got " + element.shown());
      } else {
        servers.add(server);
      }
    }
    return problems.cleanSince(mark) ? new DnsConfig(servers) : DnsConfig.defaults();
  }

  /** Whether {@code url} is a {@code redis://} or {@code rediss://} connection string with a port in range. */
  static boolean isRedisUrl(String url) {
    Matcher m = REDIS_URL.matcher(url);
    if (!m.matches()) {
      return false;
    }
    if (m.group(1) != null) {
      int port = Integer.parseInt(m.group(1));
      return port >= 1 && port <= 65535;
    }
    return true;
  }
}
