package io.portcullis.proxy;

import io.vertx.core.http.HttpMethod;

/**
 * What is sent upstream on every attempt: method, origin-form target, the end-to-end headers
 * (already cleaned and with the forwarding headers), and the body. Per-attempt headers
 * ({@code X-Attempt-Count}, the deadline header) are added by the caller.
 */
public record OutboundRequest(HttpMethod method, String uri, UpstreamHeaders headers, RequestBody body,
                              boolean hasIdempotencyKey) {
}
