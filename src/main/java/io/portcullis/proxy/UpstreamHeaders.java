package io.portcullis.proxy;

import io.portcullis.http.HeaderNameSet;
import io.portcullis.http.HopByHop;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;

/**
 * The headers every attempt sends upstream (README "How a request flows"): the client's end-to-end headers plus
 * {@code X-Request-Id} and the {@code X-Forwarded-*} family, written straight into each
 * attempt's request (no intermediate copy). {@code Host}, {@code X-Attempt-Count} and the
 * deadline header are set per attempt by the caller. For a protocol upgrade (a WebSocket
 * handshake, see {@link #upgrading}) the hop-by-hop {@code Upgrade} and {@code Connection: Upgrade}
 * are set again for the upstream hop.
 */
public final class UpstreamHeaders {

  private final MultiMap client;
  private final HeaderNameSet skip;
  private final String requestId;
  private final String forwardedFor;
  private final String forwardedProto;
  private final String forwardedHost;
  private final String via;
  /** The protocol asked for in {@code Upgrade}, or {@code null}: no upgrade. */
  private final String upgrade;

  UpstreamHeaders(MultiMap client, HeaderNameSet skip, String requestId, String forwardedFor,
                  String forwardedProto, String forwardedHost, String via) {
    this(client, skip, requestId, forwardedFor, forwardedProto, forwardedHost, via, null);
  }

  private UpstreamHeaders(MultiMap client, HeaderNameSet skip, String requestId, String forwardedFor,
                          String forwardedProto, String forwardedHost, String via, String upgrade) {
    this.client = client;
    this.skip = skip;
    this.requestId = requestId;
    this.forwardedFor = forwardedFor;
    this.forwardedProto = forwardedProto;
    this.forwardedHost = forwardedHost;
    this.via = via;
    this.upgrade = upgrade;
  }

  /**
   * These headers plus {@code Upgrade: protocol} and {@code Connection: Upgrade}: hop-by-hop
   * headers, so never copied from the client, but each hop of an upgrade asks for it anew
   * (RFC 9110 §7.8).
   */
  public UpstreamHeaders upgrading(String protocol) {
    return new UpstreamHeaders(client, skip, requestId, forwardedFor, forwardedProto, forwardedHost, via, protocol);
  }

  /**
   * Writes the headers into {@code target}, an attempt's new request headers (empty). The
   * gateway's own headers are added, not set: the copy skipped the client's headers of those names
   * (the skip set, and the hop-by-hop ones), so there is nothing to replace and no lookup to pay.
   */
  public void writeTo(MultiMap target) {
    HopByHop.copyEndToEnd(client, target, skip);
    target.add(Forwarding.REQUEST_ID_NAME, requestId);
    if (forwardedFor != null) {
      target.add(Forwarding.FORWARDED_FOR, forwardedFor);
    }
    target.add(Forwarding.FORWARDED_PROTO, forwardedProto);
    if (forwardedHost != null) {
      target.add(Forwarding.FORWARDED_HOST, forwardedHost);
    }
    target.add(Forwarding.VIA, via);
    if (upgrade != null) {
      target.add(HttpHeaders.UPGRADE, upgrade);
      target.add(HttpHeaders.CONNECTION, "Upgrade");
    }
  }

  /** The headers as a new map (for tests and logs). */
  public MultiMap toMultiMap() {
    MultiMap map = MultiMap.caseInsensitiveMultiMap();
    writeTo(map);
    return map;
  }
}
