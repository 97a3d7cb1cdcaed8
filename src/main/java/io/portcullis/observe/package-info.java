/**
 * Observability: Prometheus meters (CONTRACT §6), the JSON access log and operational event
 * logs (CONTRACT §7). Meters are registered once and cached; nothing here formats strings on
 * the event loop when the access log is off.
 */
package io.portcullis.observe;
