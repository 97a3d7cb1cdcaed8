package io.portcullis.aggregate;

import io.portcullis.http.GatewayError;
import io.portcullis.http.GatewayException;
import io.portcullis.http.RequestContext;
import io.portcullis.proxy.AttemptFailure;
import io.portcullis.proxy.Forwarding;
import io.portcullis.proxy.OutboundRequest;
import io.portcullis.proxy.RequestBody;
import io.portcullis.proxy.UpstreamCaller;
import io.portcullis.proxy.UpstreamExchange;
import io.portcullis.proxy.UpstreamHeaders;
import io.portcullis.resilience.Deadline;
import io.portcullis.route.PathTemplate;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs an aggregate route: every backend is called at once (latency is the slowest branch, not
 * the sum), each through its upstream's retry and breaker pipeline under the request's one
 * deadline. Bodies of at most {@link #MAX_BRANCH_BODY_BYTES} are read and merged.
 */
public final class AggregateHandler {

  /** Largest backend body merged (larger ones fail the branch). */
  public static final int MAX_BRANCH_BODY_BYTES = 4 * 1024 * 1024;

  private final UpstreamCaller caller;
  private final Forwarding forwarding;

  /** A handler calling through {@code caller}. */
  public AggregateHandler(UpstreamCaller caller, Forwarding forwarding) {
    this.caller = caller;
    this.forwarding = forwarding;
  }

  /** Fans out, merges and answers; fails with a {@link GatewayException} for a required branch's failure. */
  public Future<Void> handle(RequestContext ctx, AggregateRoute route, Map<String, String> params) {
    return handle(ctx, route, params, BranchAdmission.ALL);
  }

  /**
   * As {@link #handle(RequestContext, AggregateRoute, Map)}, calling only the branches that
   * {@code admission} admits; the others fail with {@code overloaded} without being sent.
   */
  public Future<Void> handle(RequestContext ctx, AggregateRoute route, Map<String, String> params,
                             BranchAdmission admission) {
    ctx.upstream(route.upstreamNames());
    UpstreamHeaders headers = forwarding.upstreamHeaders(ctx);
    List<Future<BranchResult>> branches = new ArrayList<>();
    GatewayException[] firstRequiredFailure = {null};
    List<AggregateRoute.Backend> backends = route.backends();
    for (int i = 0; i < backends.size(); i++) {
      AggregateRoute.Backend backend = backends.get(i);
      Future<BranchResult> result;
      if (admission.admitted(i)) {
        result = branch(ctx, backend, PathTemplate.expand(backend.pathTemplate(), params), headers, admission, i);
      } else {
        result = Future.succeededFuture(BranchResult.failed(backend, GatewayError.OVERLOADED.code(),
            overloaded(backend)));
      }
      branches.add(result.andThen(ar -> {
        if (ar.succeeded() && !ar.result().succeeded() && backend.required() && firstRequiredFailure[0] == null) {
          // A required branch failed: its error is the answer, naming its upstream (CONTRACT §3
          // "upstream where known"); cancel the others now.
          firstRequiredFailure[0] = ar.result().error();
          ctx.upstream(backend.plan().upstreamName());
          ctx.deadline().cancel(Deadline.CancelReason.ABORTED);
        }
      }));
    }
    return Future.join(branches).transform(ignored -> {
      GatewayException requiredFailure = firstRequiredFailure[0];
      if (requiredFailure != null) {
        return Future.failedFuture(requiredFailure);
      }
      List<BranchResult> results = new ArrayList<>(branches.size());
      for (Future<BranchResult> f : branches) {
        results.add(f.result());
      }
      return answer(ctx, results);
    });
  }

  /** Merges {@code results} (in route order, no required one failed) into the 200 answer. */
  private static Future<Void> answer(RequestContext ctx, List<BranchResult> results) {
    // The merged object is written from the branches' own bytes (each checked to be one JSON
    // value): no tree is built and re-encoded, and numbers keep their exact spelling.
    Buffer merged = Buffer.buffer(256);
    merged.appendByte((byte) '{');
    StringBuilder failed = new StringBuilder();
    for (BranchResult r : results) {
      if (r.succeeded()) {
        if (merged.length() > 1) {
          merged.appendByte((byte) ',');
        }
        merged.appendString(Json.encode(r.backend().as())).appendByte((byte) ':');
        if (r.json() == null) {
          merged.appendString("null");
        } else {
          merged.appendBuffer(r.json());
        }
        continue;
      }
      if (failed.length() > 0) {
        failed.append(',');
      }
      failed.append(r.backend().as()).append('=').append(r.failureCode());
    }
    HttpServerResponse response = ctx.request().response();
    if (response.closed() || response.ended() || response.headWritten()) {
      return Future.succeededFuture();
    }
    ctx.beforeResponseHead();
    response.setStatusCode(200);
    response.headers().set(HttpHeaders.CONTENT_TYPE, "application/json");
    response.headers().set("X-Gateway-Completed", failed.length() == 0 ? "true" : "false");
    if (failed.length() > 0) {
      response.headers().set("X-Gateway-Failed", failed.toString());
    }
    return response.end(merged.appendByte((byte) '}'));
  }

  /** The error of a branch whose upstream's concurrency limit was reached. */
  static GatewayException overloaded(AggregateRoute.Backend backend) {
    return new GatewayException(GatewayError.OVERLOADED, "backend \"" + backend.as() + "\" (upstream "
        + backend.plan().upstreamName() + ") is at its concurrency limit", 1, null);
  }

  /** One branch; never fails: its failure is a {@link BranchResult}. Tells {@code admission} of its end. */
  private Future<BranchResult> branch(RequestContext ctx, AggregateRoute.Backend backend, String path,
                                      UpstreamHeaders headers, BranchAdmission admission, int index) {
    Future<BranchResult> result = RequestBody.empty()
        .compose(body -> caller.call(ctx, backend.plan(), new OutboundRequest(HttpMethod.GET, path, headers, body, false)))
        .compose(exchange -> {
          admission.headReceived(index, exchange.response().statusCode());
          return readJson(backend, exchange);
        })
        .recover(err -> {
          if (err instanceof AttemptFailure af && af.isDrop()) {
            admission.dropped(index);
          }
          GatewayException error = UpstreamCaller.toGatewayException(err, backend.plan());
          return Future.succeededFuture(BranchResult.failed(backend, error.error().code(), error));
        });
    // Without a limit on any branch there is no permit to return: no extra step.
    return admission == BranchAdmission.ALL ? result : result.andThen(ar -> admission.ended(index));
  }

  private Future<BranchResult> readJson(AggregateRoute.Backend backend, UpstreamExchange exchange) {
    int status = exchange.response().statusCode();
    String length = exchange.response().getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && parseLong(length) > MAX_BRANCH_BODY_BYTES) {
      exchange.abort();
      return Future.succeededFuture(failure(backend, "body over " + MAX_BRANCH_BODY_BYTES + " bytes"));
    }
    Future<Buffer> body = exchange.response().body();
    exchange.response().resume();
    return body.transform(ar -> {
      exchange.release();
      if (ar.failed()) {
        return Future.failedFuture(ar.cause());
      }
      if (status < 200 || status > 299) {
        return Future.succeededFuture(failure(backend, "answered " + status));
      }
      Buffer buffer = ar.result();
      if (buffer.length() == 0) {
        return Future.succeededFuture(BranchResult.ok(backend, null));
      }
      if (!JsonCheck.isOneValue(buffer)) {
        return Future.succeededFuture(failure(backend, "answered a body that is not JSON"));
      }
      return Future.succeededFuture(BranchResult.ok(backend, buffer));
    });
  }

  /**
   * A branch whose backend answered, but not with a usable 2xx JSON body: {@code upstream_unavailable},
   * the code a required branch answers with, in {@code X-Gateway-Failed} too (CONTRACT §4 "as=CODE").
   */
  private static BranchResult failure(AggregateRoute.Backend backend, String what) {
    return BranchResult.failed(backend, GatewayError.UPSTREAM_UNAVAILABLE.code(), new GatewayException(GatewayError.UPSTREAM_UNAVAILABLE,
        "backend \"" + backend.as() + "\" (upstream " + backend.plan().upstreamName() + ") " + what));
  }

  private static long parseLong(String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
