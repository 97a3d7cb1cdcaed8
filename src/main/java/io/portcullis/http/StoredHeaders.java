package io.portcullis.http;

import io.vertx.core.MultiMap;
import io.vertx.core.http.impl.headers.HeadersAdaptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;

/**
 * Netty's header map behind a Vert.x {@link MultiMap}, so that a copy reads names and values as
 * they are stored ({@code AsciiString}s straight from the decoder) instead of through Vert.x's
 * {@code Map.Entry<String, String>} view, which makes a wrapper and two string copies per header
 * (see docs/performance.md, "Bytes allocated per request").
 *
 * <p>An HTTP/1.x server request's headers are Netty's map itself. An HTTP/1.x client response's
 * are Netty's map inside Vert.x's {@code HeadersAdaptor}, which keeps it in a private field: it is
 * read once through a method handle made at class initialisation. Should a later Vert.x rename
 * that field, the handle is absent (logged once) and callers take the {@code String} view.
 */
public final class StoredHeaders {

  private static final Logger LOG = LoggerFactory.getLogger(StoredHeaders.class);
  private static final MethodHandle ADAPTED = adaptedGetter();

  private StoredHeaders() {
  }

  /** Netty's map holding {@code headers}, or null when they are kept some other way. */
  public static io.netty.handler.codec.http.HttpHeaders of(MultiMap headers) {
    if (headers instanceof io.netty.handler.codec.http.HttpHeaders stored) {
      return stored;
    }
    if (ADAPTED != null && headers instanceof HeadersAdaptor adaptor) {
      try {
        return (io.netty.handler.codec.http.HttpHeaders) ADAPTED.invokeExact(adaptor);
      } catch (Throwable e) {
        throw new IllegalStateException("reading the headers of a Vert.x HeadersAdaptor", e);
      }
    }
    return null;
  }

  private static MethodHandle adaptedGetter() {
    try {
      return MethodHandles.privateLookupIn(HeadersAdaptor.class, MethodHandles.lookup())
          .findGetter(HeadersAdaptor.class, "headers", io.netty.handler.codec.http.HttpHeaders.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("response headers are copied through Vert.x's string view: {}", e.toString());
      return null;
    }
  }
}
