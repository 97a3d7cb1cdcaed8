/**
 * Start-up, the event-loop verticles, signals and graceful shutdown (CONTRACT §6): readiness
 * DOWN, drain with {@code Connection: close}, stop accepting, wait for in-flight requests,
 * undeploy every verticle, close Vert.x, exit 0.
 */
package io.portcullis.lifecycle;
