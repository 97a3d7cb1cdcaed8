/**
 * The live dashboard on the admin port: one page with its style sheet and script (plain files in
 * the jar, no build step, nothing from another origin), refreshed every second from
 * {@code /admin/upstreams}, {@code /admin/routes} and {@code /admin/stats}, the counters this
 * package renders for it from the gateway's meters. It reads; it never changes anything.
 */
package io.portcullis.dashboard;
