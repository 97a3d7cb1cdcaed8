package io.portcullis.edge;

import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.vertx.core.Handler;
import io.vertx.core.net.impl.HAProxyMessageCompletionHandler;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The main listener's exception handler ({@code HttpServer.exceptionHandler}) with
 * {@code server.proxyProtocol} on: counts the connections closed because their PROXY header was
 * missing, malformed or for a transport the gateway does not serve (UDP), and logs each at debug
 * level only: a client cannot make the gateway write a line per connection.
 *
 * <p>Vert.x decodes the header before the HTTP connection exists (Netty's
 * {@code HAProxyMessageDecoder}); a bad header closes the connection unanswered and reaches the
 * server's exception handler once, as an {@link HAProxyProtocolException} or, for a datagram
 * transport, Vert.x's {@link HAProxyMessageCompletionHandler#UNSUPPORTED_PROTOCOL_EXCEPTION}. A
 * connection closed before its first byte (a balancer's TCP health check) and one cut by the header
 * timeout are not reported there and are not counted. Other failures that reach this handler (a TLS
 * handshake that fails) are logged at debug level and not counted.
 */
public final class ProxyHeaderRejections implements Handler<Throwable> {

  private static final Logger LOG = LoggerFactory.getLogger(ProxyHeaderRejections.class);

  private final LongAdder rejected = new LongAdder();

  /** Whether {@code failure} is a connection refused for its PROXY header. */
  public static boolean isProxyHeaderFailure(Throwable failure) {
    return failure instanceof HAProxyProtocolException
        || failure == HAProxyMessageCompletionHandler.UNSUPPORTED_PROTOCOL_EXCEPTION;
  }

  @Override
  public void handle(Throwable failure) {
    if (isProxyHeaderFailure(failure)) {
      rejected.increment();
      LOG.debug("connection closed: bad PROXY protocol header: {}", failure.getMessage());
    } else {
      LOG.debug("connection failed before its first request: {}", failure.toString());
    }
  }

  /** Connections closed for their PROXY header since start (for {@code portcullis_proxy_protocol_rejected_total}). */
  public long rejected() {
    return rejected.sum();
  }
}
