/**
 * Observability: Prometheus meters (README "Endpoints"), the JSON access log and operational event
 * logs (README "Logs"). Meters are registered once and cached; nothing here formats strings on
 * the event loop when the access log is off.
 */
package io.portcullis.observe;
