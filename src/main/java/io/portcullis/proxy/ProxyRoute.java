package io.portcullis.proxy;

/**
 * A proxy route's fixed parts: how it calls its upstream, the prefix it strips before
 * forwarding ({@code null}: none) and whether it proxies WebSocket upgrades.
 */
public record ProxyRoute(String name, CallPlan plan, String stripPrefix, boolean websocket) {

  /** A route that does not proxy WebSocket upgrades. */
  public ProxyRoute(String name, CallPlan plan, String stripPrefix) {
    this(name, plan, stripPrefix, false);
  }
}
