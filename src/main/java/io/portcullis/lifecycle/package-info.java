/**
 * Start-up, the event-loop verticles, signals and graceful shutdown (CONTRACT §6): readiness
 * DOWN, drain with {@code Connection: close} (HTTP/2 connections get GOAWAY), stop accepting,
 * wait for in-flight requests, undeploy every verticle, close Vert.x, exit 0. The
 * configuration-derived state lives in one immutable {@link io.portcullis.lifecycle.RuntimeSnapshot}
 * that a reload replaces between requests; each verticle keeps its connection pools per snapshot
 * ({@code LoopGenerations}). The main listener's set-up lives here too: TLS with ALPN, HTTP/2
 * settings and rapid-reset limits, h2c with prior knowledge, the strict HTTP/1.x decoder on every
 * HTTP/1.x connection, and the upstream clients' TLS.
 */
package io.portcullis.lifecycle;
