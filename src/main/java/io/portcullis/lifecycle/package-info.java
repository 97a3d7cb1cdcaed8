/**
 * The composition root: start-up ({@link io.portcullis.lifecycle.Gateway}), the event-loop
 * verticles, signals and graceful shutdown (README "Signals and shutdown"): readiness DOWN, drain
 * with {@code Connection: close} (HTTP/2 connections get GOAWAY), stop accepting, wait for
 * in-flight requests, undeploy every verticle, close Vert.x, exit 0. The configuration-derived
 * state lives in one immutable {@link io.portcullis.lifecycle.RuntimeSnapshot} that a reload, or
 * a DNS answer that changes an upstream's addresses, replaces between requests (one swap at a
 * time); each verticle keeps its connection pools, and its connection to the Redis of cluster
 * rate limits, per snapshot
 * ({@code LoopGenerations}). The admin server lives here too. Connection set-up is the
 * {@code edge} package's, what happens to a request the request path's, reaching upstreams the
 * {@code upstream} package's: this package wires them together.
 */
package io.portcullis.lifecycle;
