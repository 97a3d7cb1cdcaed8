package io.portcullis.testkit;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * A server request and its response without a socket, for unit tests of the request path's
 * stages: the request answers what a decoded head would (method, path, headers, version, peer),
 * the response records its status, headers and body, and runs its end and close handlers as
 * Vert.x would. Methods a stage has no business calling throw {@link UnsupportedOperationException}.
 */
public final class FakeHttpRequest {

  private final HttpMethod method;
  private final String uri;
  private HttpVersion version = HttpVersion.HTTP_1_1;
  private final MultiMap headers = MultiMap.caseInsensitiveMultiMap();
  private final MultiMap responseHeaders = MultiMap.caseInsensitiveMultiMap();
  private SocketAddress peer = SocketAddress.inetSocketAddress(40000, "192.0.2.1");
  private boolean ended;
  private boolean requestEnded;
  private boolean paused;
  private boolean continueWritten;
  private boolean closed;
  private boolean connectionClosed;
  private boolean reset;
  private int status = 200;
  private String body;
  private Handler<Void> endHandler;
  private Handler<Void> bodyEndHandler;
  private Handler<Void> closeHandler;
  private final HttpServerRequest request;
  private final HttpServerResponse response;

  private FakeHttpRequest(HttpMethod method, String uri) {
    this.method = method;
    this.uri = uri;
    this.request = proxy(HttpServerRequest.class, this::onRequest);
    this.response = proxy(HttpServerResponse.class, this::onResponse);
  }

  /** A request {@code method uri} over HTTP/1.1 from 192.0.2.1 with a {@code Host} header. */
  public static FakeHttpRequest of(String method, String uri) {
    FakeHttpRequest fake = new FakeHttpRequest(HttpMethod.valueOf(method), uri);
    fake.headers.add("Host", "gateway.test");
    return fake;
  }

  /** Adds a request header. */
  public FakeHttpRequest header(String name, String value) {
    headers.add(name, value);
    return this;
  }

  /** Sets the protocol version. */
  public FakeHttpRequest version(HttpVersion version) {
    this.version = version;
    return this;
  }

  /** Sets the peer address. */
  public FakeHttpRequest peer(String host) {
    this.peer = SocketAddress.inetSocketAddress(40000, host);
    return this;
  }

  /** The request as Vert.x would hand it over. */
  public HttpServerRequest request() {
    return request;
  }

  /** The client leaves before the response ended: the close handler runs. */
  public void clientGone() {
    closed = true;
    if (closeHandler != null) {
      closeHandler.handle(null);
    }
  }

  /** The status the response was given (200 until set). */
  public int status() {
    return status;
  }

  /** The response body written, or null. */
  public String body() {
    return body;
  }

  /** The response headers. */
  public MultiMap responseHeaders() {
    return responseHeaders;
  }

  /** Whether the response ended. */
  public boolean ended() {
    return ended;
  }

  /** Whether the request body was paused. */
  public boolean paused() {
    return paused;
  }

  /** Whether a {@code 100 Continue} was written. */
  public boolean continueWritten() {
    return continueWritten;
  }

  /** Whether the connection was closed after the response. */
  public boolean connectionClosed() {
    return connectionClosed;
  }

  /** Whether the response stream was reset. */
  public boolean reset() {
    return reset;
  }

  private Object onRequest(Method m, Object[] args) {
    switch (m.getName()) {
      case "method": return method;
      case "uri": return uri;
      case "path": {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
      }
      case "query": {
        int q = uri.indexOf('?');
        return q < 0 ? null : uri.substring(q + 1);
      }
      case "version": return version;
      case "headers": return headers;
      case "getHeader": return headers.get(args[0].toString());
      case "response": return response;
      case "remoteAddress": return peer;
      case "isEnded": return requestEnded;
      case "decoderResult": return io.netty.handler.codec.DecoderResult.SUCCESS;
      case "connection": return connection();
      case "pause":
        paused = true;
        return request;
      case "resume":
        paused = false;
        return request;
      default: return unsupported(m);
    }
  }

  private Object onResponse(Method m, Object[] args) {
    switch (m.getName()) {
      case "headers": return responseHeaders;
      case "putHeader":
        responseHeaders.set(args[0].toString(), args[1].toString());
        return response;
      case "setStatusCode":
        status = (Integer) args[0];
        return response;
      case "getStatusCode": return status;
      case "setStatusMessage": return response;
      case "headWritten": return ended;
      case "ended": return ended;
      case "closed": return closed;
      case "writeContinue":
        continueWritten = true;
        return Future.succeededFuture();
      case "endHandler":
        endHandler = cast(args[0]);
        return response;
      case "bodyEndHandler":
        bodyEndHandler = cast(args[0]);
        return response;
      case "closeHandler":
        closeHandler = cast(args[0]);
        return response;
      case "reset":
        reset = true;
        return true;
      case "end": {
        if (ended) {
          throw new IllegalStateException("Response has already been written");
        }
        if (args != null && args.length == 1) {
          body = args[0] instanceof Buffer b ? b.toString() : String.valueOf(args[0]);
        }
        ended = true;
        if (bodyEndHandler != null) {
          bodyEndHandler.handle(null);
        }
        if (endHandler != null) {
          endHandler.handle(null);
        }
        return Future.succeededFuture();
      }
      default: return unsupported(m);
    }
  }

  private HttpConnection connection() {
    return proxy(HttpConnection.class, (m, args) -> {
      switch (m.getName()) {
        case "close":
          connectionClosed = true;
          return Future.succeededFuture();
        case "goAway": return null;
        default: return unsupported(m);
      }
    });
  }

  @SuppressWarnings("unchecked")
  private static Handler<Void> cast(Object handler) {
    return (Handler<Void>) handler;
  }

  private static Object unsupported(Method m) {
    throw new UnsupportedOperationException(m.getName() + " is not faked");
  }

  private interface Calls {
    Object call(Method method, Object[] args) throws Throwable;
  }

  @SuppressWarnings("unchecked")
  private static <T> T proxy(Class<T> type, Calls calls) {
    InvocationHandler handler = (p, method, args) -> {
      if (method.getDeclaringClass() == Object.class) {
        return switch (method.getName()) {
          case "equals" -> p == args[0];
          case "hashCode" -> System.identityHashCode(p);
          default -> "Fake" + type.getSimpleName();
        };
      }
      return calls.call(method, args);
    };
    return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
  }
}
