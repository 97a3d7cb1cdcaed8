package io.portcullis.config;

import java.util.List;

/**
 * The resolver used by DNS discovery of endpoints (JSON object {@code dns}).
 *
 * @param servers the servers to ask, in order; unmodifiable; default empty: the system's resolvers
 *     ({@code /etc/resolv.conf})
 */
public record DnsConfig(List<DnsServer> servers) {

  /** Copies {@code servers} into an unmodifiable list. */
  public DnsConfig {
    servers = List.copyOf(servers);
  }

  /** The configuration used when the JSON has no {@code dns} object: the system's resolvers. */
  public static DnsConfig defaults() {
    return new DnsConfig(List.of());
  }
}
