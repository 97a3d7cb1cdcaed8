package io.portcullis.resilience;

import java.util.Objects;

/**
 * Facts about a request that decide whether it may be replayed.
 *
 * @param method the HTTP method, as received (methods are case-sensitive, RFC 9110 §9.1)
 * @param hasIdempotencyKey whether the request carries an {@code Idempotency-Key} header
 * @param bodyReplayable whether the body is fully buffered (or empty) and can be sent again
 */
public record RequestTraits(String method, boolean hasIdempotencyKey, boolean bodyReplayable) {
  /**
   * Validates the method.
   *
   * @param method the HTTP method
   * @param hasIdempotencyKey whether an {@code Idempotency-Key} is present
   * @param bodyReplayable whether the body can be sent again
   */
  public RequestTraits {
    Objects.requireNonNull(method, "method");
  }
}
