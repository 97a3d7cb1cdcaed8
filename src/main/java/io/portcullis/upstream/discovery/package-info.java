/**
 * Discovery of an upstream's endpoints from DNS ({@code upstreams.NAME.discovery}; README
 * "Configuration reference", {@code upstreams.NAME}):
 * {@link io.portcullis.upstream.discovery.DnsDiscovery} re-resolves a host name's A and AAAA
 * records every {@code refreshMs} on Vert.x's DNS client and reports the address set when it
 * changes, keeping the last known one through failed or empty answers;
 * {@link io.portcullis.upstream.discovery.DiscoveryVerticle} runs one per endpoint name of every
 * discovered upstream and follows reloads; {@link io.portcullis.upstream.discovery.DiscoveredEndpoints}
 * keeps each name's addresses and turns them into the endpoints an upstream has (each address an
 * endpoint addressed to its name). An {@link io.portcullis.upstream.Upstream} built over them gives
 * each its own breaker, health checks and share of the balancing, and drains the ones that go;
 * publishing a new snapshot is the composition root's.
 */
package io.portcullis.upstream.discovery;
