package io.portcullis.proxy;

import io.portcullis.http.GatewayError;
import io.portcullis.http.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpServerRequest;

/**
 * A client request body as sent upstream: either buffered (at most 64 KiB, so it can be
 * replayed on a retry) or streamed once with back-pressure and a size limit.
 */
public abstract sealed class RequestBody permits RequestBody.Buffered, RequestBody.Streamed, RequestBody.Handshake {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RequestBody.class);

  /** Largest body kept in memory for replay (README "How a request flows": 64 KiB). */
  public static final int MAX_REPLAY_BYTES = 64 * 1024;

  /** Whether the body can be sent again on a retry. */
  public abstract boolean replayable();

  /** Writes the body to {@code upstream} and ends it. Fails if the client body fails. */
  public abstract Future<Void> sendTo(HttpClientRequest upstream);

  /** The empty, replayable body. */
  public static final RequestBody NONE = new Buffered(null);

  /**
   * No body, and the request is sent as an upgrade ({@link HttpClientRequest#connect()}): on a
   * {@code 101} the upstream connection becomes a raw byte stream (see {@code WebSocketProxy}).
   * Replayable: a handshake has no body.
   */
  public static final RequestBody UPGRADE = new Handshake();

  /** An empty, replayable body. */
  public static Future<RequestBody> empty() {
    return Future.succeededFuture(NONE);
  }

  /**
   * Prepares the body of {@code request}: buffered when it is at most {@link #MAX_REPLAY_BYTES}
   * long, streamed otherwise. A body of declared length is streamed from the start when it is
   * longer; one of unknown length ({@code chunked}: chunked coding, or HTTP/2 without
   * {@code Content-Length}) is read until it ends or passes that size, and then streamed on, what
   * was read first. The request must be paused.
   */
  public static Future<RequestBody> of(HttpServerRequest request, long contentLength, boolean chunked, long maxBodyBytes) {
    if (!chunked && contentLength <= 0) {
      return empty();
    }
    if (chunked) {
      return readUpToReplayLimit(request, maxBodyBytes);
    }
    if (contentLength <= MAX_REPLAY_BYTES) {
      Promise<RequestBody> promise = Promise.promise();
      request.body().onComplete(ar -> {
        if (ar.succeeded()) {
          promise.complete(new Buffered(ar.result()));
        } else {
          promise.fail(new GatewayException(GatewayError.BAD_REQUEST, "request body could not be read", ar.cause()));
        }
      });
      request.resume();
      return promise.future();
    }
    return Future.succeededFuture(new Streamed(request, contentLength, maxBodyBytes, null));
  }

  /** A body of unknown length: buffered if it ends within the replay limit, else streamed on. */
  private static Future<RequestBody> readUpToReplayLimit(HttpServerRequest request, long maxBodyBytes) {
    Promise<RequestBody> promise = Promise.promise();
    Buffer read = Buffer.buffer();
    request.handler(chunk -> {
      if (read.length() + (long) chunk.length() > maxBodyBytes) {
        stopReading(request);
        promise.tryFail(new GatewayException(GatewayError.PAYLOAD_TOO_LARGE,
            "request body exceeds " + maxBodyBytes + " bytes"));
        return;
      }
      read.appendBuffer(chunk);
      if (read.length() > MAX_REPLAY_BYTES) {
        // Too long to replay: streamed, what was read first. The rest waits in the paused request.
        request.pause();
        stopReading(request);
        promise.tryComplete(new Streamed(request, -1, maxBodyBytes, read));
      }
    });
    request.exceptionHandler(err -> {
      stopReading(request);
      promise.tryFail(new GatewayException(GatewayError.BAD_REQUEST, "request body could not be read", err));
    });
    request.endHandler(v -> {
      stopReading(request);
      promise.tryComplete(new Buffered(read));
    });
    request.resume();
    return promise.future();
  }

  private static void stopReading(HttpServerRequest request) {
    request.handler(null);
    request.endHandler(null);
    request.exceptionHandler(null);
  }

  /** A body held in memory. */
  static final class Buffered extends RequestBody {
    private final Buffer bytes;

    Buffered(Buffer bytes) {
      this.bytes = bytes;
    }

    @Override
    public boolean replayable() {
      return true;
    }

    @Override
    public Future<Void> sendTo(HttpClientRequest upstream) {
      if (bytes == null || bytes.length() == 0) {
        return upstream.end();
      }
      upstream.putHeader("Content-Length", Integer.toString(bytes.length()));
      return upstream.end(bytes);
    }
  }

  /** A body pumped from the client to one upstream request, once. */
  static final class Streamed extends RequestBody {
    private final HttpServerRequest source;
    private final long contentLength;
    private final long maxBodyBytes;
    private final Buffer readFirst;
    private boolean used;

    /** @param readFirst what was read of the body before (sent first), or null */
    Streamed(HttpServerRequest source, long contentLength, long maxBodyBytes, Buffer readFirst) {
      this.source = source;
      this.contentLength = contentLength;
      this.maxBodyBytes = maxBodyBytes;
      this.readFirst = readFirst;
    }

    @Override
    public boolean replayable() {
      return false;
    }

    @Override
    public Future<Void> sendTo(HttpClientRequest upstream) {
      if (used) {
        return Future.failedFuture(new IllegalStateException("a streamed body can be sent once"));
      }
      used = true;
      if (contentLength >= 0) {
        upstream.putHeader("Content-Length", Long.toString(contentLength));
      } else {
        upstream.setChunked(true);
      }
      Promise<Void> done = Promise.promise();
      long[] received = {0};
      if (readFirst != null) {
        received[0] = readFirst.length();
        upstream.write(readFirst);
      }
      source.handler(chunk -> {
        received[0] += chunk.length();
        if (received[0] > maxBodyBytes) {
          source.handler(null);
          done.tryFail(new GatewayException(GatewayError.PAYLOAD_TOO_LARGE,
              "request body exceeds " + maxBodyBytes + " bytes"));
          return;
        }
        upstream.write(chunk);
        if (upstream.writeQueueFull()) {
          source.pause();
          upstream.drainHandler(v -> source.resume());
        }
      });
      source.exceptionHandler(err -> done.tryFail(new GatewayException(GatewayError.BAD_REQUEST,
          "client request body failed", err)));
      source.endHandler(v -> upstream.end().onComplete(ar -> {
        if (ar.succeeded()) {
          done.tryComplete();
        } else {
          done.tryFail(ar.cause());
        }
      }));
      source.resume();
      return done.future();
    }
  }

  /** The empty body of an upgrade request: the head is sent with {@code connect()}. */
  static final class Handshake extends RequestBody {

    @Override
    public boolean replayable() {
      return true;
    }

    @Override
    public Future<Void> sendTo(HttpClientRequest upstream) {
      upstream.connect().onSuccess(response -> {
        if (response.statusCode() != 101) {
          // Refused. The head went out as an upgrade, which cannot be ended as a plain request:
          // close the connection once the response is read, so it never returns to the pool half-used.
          response.end().onComplete(done -> upstream.connection().close().onFailure(
              err -> LOG.debug("closing a refused upgrade's connection failed: {}", err.toString())));
        }
      });
      return Future.succeededFuture();
    }
  }
}
