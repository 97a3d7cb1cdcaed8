package io.portcullis.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** Writes the gateway's JSON error body (README "Errors"). The one place an error becomes bytes. */
public final class ErrorResponses {

  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");

  private ErrorResponses() {
  }

  /** The JSON body for an error; {@code route} and {@code upstream} are omitted when null. */
  public static JsonObject body(GatewayError error, String message, String requestId, String route, String upstream) {
    JsonObject body = new JsonObject()
        .put("error", error.code())
        .put("message", message)
        .put("requestId", requestId);
    if (route != null) {
      body.put("route", route);
    }
    if (upstream != null) {
      body.put("upstream", upstream);
    }
    return body;
  }

  /**
   * Ends {@code response} with the error. Does nothing when the response head is already
   * written (the caller resets the stream instead).
   */
  public static io.vertx.core.Future<Void> send(HttpServerResponse response, GatewayError error, String message,
                          String requestId, String route, String upstream, long retryAfterSeconds) {
    if (response.headWritten() || response.ended() || response.closed()) {
      return io.vertx.core.Future.succeededFuture();
    }
    response.setStatusCode(error.status());
    response.setStatusMessage(error.reasonPhrase());
    response.headers().set(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON);
    if (retryAfterSeconds >= 0) {
      response.headers().set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
    }
    return response.end(body(error, message, requestId, route, upstream).toBuffer());
  }
}
