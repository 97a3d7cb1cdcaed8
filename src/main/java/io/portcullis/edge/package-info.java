/**
 * The HTTP edge: how a client connection is set up before any request reaches the request path,
 * and who the client is. The main listener's options ({@link io.portcullis.edge.ListenerOptions}:
 * TLS with ALPN on the engine {@link io.portcullis.edge.ListenerTlsEngine} picks from
 * {@code server.tls.engine} and no client certificates ({@code NoClientCertificates}), HTTP/2
 * settings, the rapid-reset limit), and per connection
 * ({@link io.portcullis.edge.EdgeConnections}): the strict HTTP/1.x decoder, the request-header
 * timeout (slowloris protection), the idle timeout ({@code server.idleTimeoutMs}, kept by
 * {@code IdleTimeout} in place of Netty's handler: no clock read or listener per read and write),
 * cleartext HTTP/2 by prior knowledge ({@code server.h2c}), the flushes of an HTTP/1.x connection
 * held to the end of its loop's pass ({@code transport.LoopFlushes}) and the set of HTTP/2
 * connections that get a graceful {@code GOAWAY} when the drain starts. See the
 * README sections "Configuration reference" ({@code server}) and "Signals and shutdown".
 *
 * <p>The listener's certificate (README "Certificate renewal"): {@link io.portcullis.edge.CertificatePair}
 * reads {@code server.tls.certFile} and {@code keyFile} and checks that the key belongs to the
 * certificate (the configuration loader asks it too, so {@code --check} and a reload judge the
 * pair as the listener does); {@link io.portcullis.edge.CertificateValidity} says where its dates
 * stand; {@link io.portcullis.edge.ListenerCertificate} re-reads the pair on the reload poll and
 * triggers and gives a new one to the server of every event-loop instance.
 *
 * <p>Behind a load balancer ({@code server.proxyProtocol}, {@code server.trustedProxies}; README
 * "Running behind a load balancer"): the PROXY protocol header (v1 and v2, decoded by Vert.x with
 * Netty's HAProxy codec before the HTTP connection exists) makes the balancer's view of the client
 * the connection's peer ({@link io.portcullis.edge.PeerAddress}: its text, an IPv6 one made
 * canonical once per connection), and {@link io.portcullis.edge.ProxyHeaderRejections} counts the
 * connections refused for their header; {@link io.portcullis.edge.TrustedProxies} then walks
 * {@code X-Forwarded-For} back through the trusted proxies to the client address
 * ({@link io.portcullis.edge.ClientAddress}) that rate limits and the access log use. Addresses and
 * blocks are read by the configuration's own reader ({@code config.IpLiteral},
 * {@code config.CidrBlock}). This code reads untrusted bytes: it never throws on
 * them, does bounded work whatever their length, and allocates nothing on the common path.
 */
package io.portcullis.edge;
