/**
 * Upstream connections: each event loop's client of an upstream ({@link
 * io.portcullis.upstream.pool.UpstreamClient}), and the gateway's own keep-alive pools of plain
 * HTTP/1.1 connections under it: {@link io.portcullis.upstream.pool.EndpointPool} is one endpoint's
 * pool on one loop (limits, idle list, wait queue; no Vert.x types beyond a handler), {@link
 * io.portcullis.upstream.pool.UpstreamConnections} opens, sets up, sweeps and closes the
 * connections of one upstream's endpoints. Which request goes on which connection is decided by
 * the caller ({@code proxy.UpstreamCaller}); when a connection is given back, and whether it may be
 * used again, too.
 */
package io.portcullis.upstream.pool;
