/**
 * Discovery of an upstream's endpoints from DNS ({@code upstreams.NAME.discovery}; README
 * "Configuration reference", {@code upstreams.NAME}):
 * {@link io.portcullis.upstream.discovery.DnsDiscovery} re-resolves a host name's A and AAAA
 * records every {@code refreshMs} on Vert.x's DNS client and reports the address set when it
 * changes, keeping the last known one through failed or empty answers. Turning addresses into
 * endpoints (each with its own breaker and health checks, drained when it goes) belongs to
 * {@link io.portcullis.upstream}.
 */
package io.portcullis.upstream.discovery;
