/**
 * The client edge: who the client is when the gateway runs behind a load balancer. The PROXY
 * protocol header (v1 and v2, decoded by Vert.x with Netty's HAProxy codec) makes the balancer's
 * view of the client the connection's peer; {@link io.portcullis.edge.TrustedProxies} then walks
 * {@code X-Forwarded-For} back through the configured trusted proxies to the client address that
 * rate limits, the access log and the forwarded headers use (README "Client address").
 *
 * <p>Everything here reads untrusted bytes: it never throws on them, does bounded work whatever
 * their length, and allocates nothing on the common path.
 */
package io.portcullis.edge;
