/**
 * The HTTP edge: how a client connection is set up before any request reaches the request path.
 * The main listener's options ({@link io.portcullis.edge.ListenerOptions}: TLS with ALPN, HTTP/2
 * settings, the rapid-reset limit), and per connection ({@link io.portcullis.edge.EdgeConnections}):
 * the strict HTTP/1.x decoder, the request-header timeout (slowloris protection), cleartext HTTP/2
 * by prior knowledge ({@code server.h2c}) and the set of HTTP/2 connections that get a graceful
 * {@code GOAWAY} when the drain starts. Client-address resolution (PROXY protocol, trusted
 * proxies) belongs here too. See the README sections "Configuration reference" ({@code server})
 * and "Signals and shutdown".
 */
package io.portcullis.edge;
