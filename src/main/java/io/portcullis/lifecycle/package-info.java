/**
 * Start-up, the event-loop verticles, signals and graceful shutdown (CONTRACT §6): readiness
 * DOWN, drain with {@code Connection: close}, stop accepting, wait for in-flight requests,
 * undeploy every verticle, close Vert.x, exit 0. The configuration-derived state lives in one
 * immutable {@link io.portcullis.lifecycle.RuntimeSnapshot} that a reload replaces between
 * requests; each verticle keeps its connection pools per snapshot ({@code LoopGenerations}).
 */
package io.portcullis.lifecycle;
