/**
 * HTTP hygiene shared by every route kind: hop-by-hop header rules (RFC 9110 §7.6.1) and the
 * header copies they govern (names and values read as stored: {@code StoredHeaders}),
 * request ids, path normalization (RFC 3986 §5.2.4), framing checks, reading {@code Via} for
 * forwarding loops and {@code Max-Forwards} (RFC 9110 §7.6.2, §7.6.3), and the gateway's own JSON
 * error responses (README "Errors").
 */
package io.portcullis.http;
