package io.portcullis.proxy;

/**
 * A proxy route's fixed parts: how it calls its upstream and the prefix it strips before
 * forwarding ({@code null}: none).
 */
public record ProxyRoute(String name, CallPlan plan, String stripPrefix) {
}
