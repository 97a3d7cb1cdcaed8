package io.portcullis.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.handler.codec.haproxy.HAProxyTLV;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * PROXY protocol headers (https://www.haproxy.org/download/2.9/doc/proxy-protocol.txt) as a load
 * balancer writes them, for tests: version 1 as text, version 2 through Netty's own
 * {@link HAProxyMessageEncoder}. Bytes can be sent as ISO-8859-1 text with {@link RawConnection}
 * ({@link #text}).
 */
public final class ProxyHeaders {

  private ProxyHeaders() {
  }

  /** {@code PROXY TCP4 src dst srcPort dstPort\r\n} (or {@code TCP6} for IPv6 addresses). */
  public static byte[] v1(String source, int sourcePort, String destination, int destinationPort) {
    String family = source.indexOf(':') >= 0 ? "TCP6" : "TCP4";
    return ("PROXY " + family + " " + source + " " + destination + " " + sourcePort + " " + destinationPort + "\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** {@code PROXY UNKNOWN\r\n}: the receiver keeps the socket's addresses. */
  public static byte[] v1Unknown() {
    return "PROXY UNKNOWN\r\n".getBytes(StandardCharsets.US_ASCII);
  }

  /** A version 2 {@code PROXY} command over TCP (IPv4 or IPv6 by the source address), with TLVs. */
  public static byte[] v2(String source, int sourcePort, String destination, int destinationPort, HAProxyTLV... tlvs) {
    HAProxyProxiedProtocol protocol = source.indexOf(':') >= 0 ? HAProxyProxiedProtocol.TCP6
        : HAProxyProxiedProtocol.TCP4;
    return encode(new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY, protocol, source, destination,
        sourcePort, destinationPort, List.of(tlvs)));
  }

  /**
   * A version 2 {@code LOCAL} command: a connection the balancer makes on its own behalf (a
   * health check); the receiver keeps the socket's addresses.
   */
  public static byte[] v2Local() {
    return encode(new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.LOCAL, HAProxyProxiedProtocol.UNKNOWN,
        null, null, 0, 0));
  }

  /**
   * A version 2 {@code PROXY} command for a Unix stream socket ({@code AF_UNIX}): its addresses
   * are paths, not IP addresses.
   */
  public static byte[] v2Unix(String sourcePath, String destinationPath) {
    return encode(new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY, HAProxyProxiedProtocol.UNIX_STREAM,
        sourcePath, destinationPath, 0, 0));
  }

  /** The bytes as ISO-8859-1 text (one char per byte), for {@link RawConnection#send(String)}. */
  public static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  private static byte[] encode(HAProxyMessage message) {
    EmbeddedChannel channel = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
    try {
      channel.writeOutbound(message);
      ByteBuf out = channel.readOutbound();
      try {
        return ByteBufUtil.getBytes(out);
      } finally {
        out.release();
      }
    } finally {
      channel.finishAndReleaseAll();
    }
  }
}
