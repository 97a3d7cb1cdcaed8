package io.portcullis.aggregate;

import io.portcullis.http.GatewayException;

/**
 * What one fan-out branch came to: a JSON value, or a failure code for
 * {@code X-Gateway-Failed} (a gateway error code, the upstream's status, or
 * {@code invalid_json}) with the gateway error to answer with if the branch was required.
 */
record BranchResult(AggregateRoute.Backend backend, Object json, String failureCode, GatewayException error) {

  static BranchResult ok(AggregateRoute.Backend backend, Object json) {
    return new BranchResult(backend, json, null, null);
  }

  static BranchResult failed(AggregateRoute.Backend backend, String code, GatewayException error) {
    return new BranchResult(backend, null, code, error);
  }

  boolean succeeded() {
    return failureCode == null;
  }
}
