/**
 * The upstream call pipeline and the streaming proxy. Every upstream call goes through one
 * fixed order: deadline budget, retry operator, breaker-aware endpoint pick, the endpoint's
 * circuit breaker, one attempt ({@link io.portcullis.proxy.UpstreamCaller}); on a hedging route the
 * retry operator runs attempts side by side and the caller resets the ones that lost (README
 * "Hedged requests") and returns the winner's exchange. The proxy route
 * streams request and response bodies through with back-pressure
 * ({@link io.portcullis.proxy.ProxyHandler}).
 */
package io.portcullis.proxy;
