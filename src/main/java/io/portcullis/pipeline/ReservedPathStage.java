package io.portcullis.pipeline;

import io.vertx.core.http.HttpServerResponse;

/**
 * Paths the gateway answers itself and never routes ({@code /healthz/live} and
 * {@code /healthz/ready}, README "Endpoints"), in every spelling that normalizes to them: answered
 * here, whatever the method.
 */
public final class ReservedPathStage implements Stage {

  /** The reserved paths and who answers them. */
  public interface ReservedPaths {

    /** Whether {@code normalizedPath} is reserved. */
    boolean isReserved(String normalizedPath);

    /** Answers a request for the reserved {@code normalizedPath}. */
    void answer(String normalizedPath, HttpServerResponse response);
  }

  private final ReservedPaths reserved;

  /** A stage answering {@code reserved}'s paths. */
  public ReservedPathStage(ReservedPaths reserved) {
    this.reserved = reserved;
  }

  @Override
  public Verdict apply(Exchange exchange) {
    String path = exchange.path();
    if (!reserved.isReserved(path)) {
      return Verdict.CONTINUE;
    }
    exchange.beforeResponseHead();
    reserved.answer(path, exchange.request().response());
    return Verdict.HANDLED;
  }
}
