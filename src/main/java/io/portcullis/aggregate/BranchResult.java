package io.portcullis.aggregate;

import io.portcullis.http.GatewayException;
import io.vertx.core.buffer.Buffer;

/**
 * What one fan-out branch came to: a JSON value (its bytes as the backend sent them, already
 * checked to be exactly one JSON value; null for an empty body), or a failure code for
 * {@code X-Gateway-Failed} (the gateway error code of the failure) with the gateway error to
 * answer with if the branch was required.
 */
record BranchResult(AggregateRoute.Backend backend, Buffer json, String failureCode, GatewayException error) {

  static BranchResult ok(AggregateRoute.Backend backend, Buffer json) {
    return new BranchResult(backend, json, null, null);
  }

  static BranchResult failed(AggregateRoute.Backend backend, String code, GatewayException error) {
    return new BranchResult(backend, null, code, error);
  }

  boolean succeeded() {
    return failureCode == null;
  }
}
