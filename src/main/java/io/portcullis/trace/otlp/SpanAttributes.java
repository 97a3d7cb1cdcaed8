package io.portcullis.trace.otlp;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.portcullis.config.Endpoint;
import io.portcullis.trace.FinishedSpan;

/**
 * The attributes of a finished span by the OpenTelemetry HTTP semantic conventions (stable since
 * 1.23): {@code http.request.method} ({@code _OTHER} and {@code http.request.method_original} for
 * a method that is not known), {@code http.response.status_code} when a status was sent or
 * received, {@code error.type} on an error; on the gateway's server span {@code url.scheme},
 * {@code url.path}, {@code http.route}, and {@code server.address}/{@code server.port} from the
 * request's {@code Host}; on an attempt's client span {@code server.address}/{@code server.port}
 * of the endpoint, {@code http.request.resend_count} on a retry, {@code network.protocol.version}
 * and {@code peer.service} (the upstream's name).
 */
final class SpanAttributes {

  static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<String> METHOD_ORIGINAL = AttributeKey.stringKey("http.request.method_original");
  static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
  static final AttributeKey<String> SCHEME = AttributeKey.stringKey("url.scheme");
  static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");
  static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  static final AttributeKey<Long> RESEND_COUNT = AttributeKey.longKey("http.request.resend_count");
  static final AttributeKey<String> PROTOCOL_VERSION = AttributeKey.stringKey("network.protocol.version");
  static final AttributeKey<String> PEER_SERVICE = AttributeKey.stringKey("peer.service");
  /** The {@code error.type} of a failure that has no status (connect failure, reset, timeout). */
  static final String OTHER_ERROR = "_OTHER";

  private SpanAttributes() {
  }

  /** The attributes of {@code span}. */
  static Attributes of(FinishedSpan span) {
    AttributesBuilder b = Attributes.builder();
    if (span.knownMethod()) {
      b.put(METHOD, span.method());
    } else {
      b.put(METHOD, "_OTHER").put(METHOD_ORIGINAL, span.method());
    }
    if (span.status() > 0) {
      b.put(STATUS, span.status());
    }
    if (span.error()) {
      b.put(ERROR_TYPE, span.status() > 0 ? Integer.toString(span.status()) : OTHER_ERROR);
    }
    if (span.kind() == FinishedSpan.Kind.SERVER) {
      server(span, b);
    } else {
      client(span, b);
    }
    return b.build();
  }

  private static void server(FinishedSpan span, AttributesBuilder b) {
    if (span.scheme() != null) {
      b.put(SCHEME, span.scheme());
    }
    if (span.path() != null) {
      b.put(PATH, span.path());
    }
    if (span.httpRoute() != null) {
      b.put(ROUTE, span.httpRoute());
    }
    if (span.authority() != null) {
      hostAndPort(span.authority(), "https".equals(span.scheme()) ? 443 : 80, b);
    }
  }

  private static void client(FinishedSpan span, AttributesBuilder b) {
    Endpoint endpoint = span.endpoint();
    if (endpoint != null) {
      b.put(SERVER_ADDRESS, endpoint.host()).put(SERVER_PORT, endpoint.port());
    }
    if (span.attempt() > 1) {
      b.put(RESEND_COUNT, span.attempt() - 1);
    }
    // Requests upstream are HTTP/1.1, over TLS or not (README "upstreams.NAME").
    b.put(PROTOCOL_VERSION, "1.1");
    if (span.upstream() != null) {
      b.put(PEER_SERVICE, span.upstream());
    }
  }

  /**
   * {@code server.address} and {@code server.port} from a {@code Host} value ({@code host},
   * {@code host:port}, {@code [v6]} or {@code [v6]:port}); the port is the scheme's default when
   * absent. A value that is none of these yields no attribute.
   */
  private static void hostAndPort(String authority, int defaultPort, AttributesBuilder b) {
    String host;
    String port = null;
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      if (close < 0) {
        return;
      }
      host = authority.substring(1, close);
      if (close + 1 < authority.length()) {
        if (authority.charAt(close + 1) != ':') {
          return;
        }
        port = authority.substring(close + 2);
      }
    } else {
      int colon = authority.indexOf(':');
      host = colon < 0 ? authority : authority.substring(0, colon);
      port = colon < 0 ? null : authority.substring(colon + 1);
    }
    if (host.isEmpty()) {
      return;
    }
    long portNumber = defaultPort;
    if (port != null) {
      try {
        portNumber = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        portNumber = -1;
      }
      if (portNumber < 1 || portNumber > 65535) {
        b.put(SERVER_ADDRESS, host);
        return;
      }
    }
    b.put(SERVER_ADDRESS, host).put(SERVER_PORT, portNumber);
  }
}
