/**
 * Observability: Prometheus meters (README "Metrics"), the JSON access log (README "The access-log
 * line": written by hand by {@code AccessLogLine}, batched to stdout by
 * {@link io.portcullis.observe.AccessLogAppender}) and operational event logs (README "Logs"). Meters are registered once and cached; nothing here formats strings on
 * the event loop when the access log is off. {@link io.portcullis.observe.OpenConnections} counts
 * open connections from the channels' close (no per-request work); {@link io.portcullis.observe.BuildInfo}
 * is the build's version and its info metric; {@link io.portcullis.observe.JvmMeters} the JVM's
 * meters, bound once the main listener is up, the garbage collector's read at each scrape
 * ({@code JvmGcMeters}): nothing listens for a notification per collection.
 */
package io.portcullis.observe;
