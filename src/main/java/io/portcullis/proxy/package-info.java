/**
 * The upstream call pipeline and the streaming proxy. Every upstream call goes through one
 * fixed order: deadline budget, retry operator, breaker-aware endpoint pick, the endpoint's
 * circuit breaker, one attempt ({@link io.portcullis.proxy.UpstreamCaller}); on a hedging route the
 * retry operator runs attempts side by side and the caller resets the ones that lost (README
 * "Hedged requests") and returns the winner's exchange. The proxy route
 * streams request and response bodies through with back-pressure
 * ({@link io.portcullis.proxy.ProxyHandler}; the response body through {@code BodyRelay}, which ends
 * the client response with the last chunk of a body of declared length). The concurrency permit of a proxied request is not
 * taken here (see {@code io.portcullis.pipeline.ConcurrencyStage}); the proxy only reports what the
 * upstream exchange came to ({@link io.portcullis.proxy.ExchangeObserver}), and the request path's
 * proxied requests end without a future: the hand-over or the failure goes straight to the
 * exchange ({@link io.portcullis.proxy.ProxyOutcome}). A request refused by
 * the connection pool's wait queue ({@code pool.maxPending}) fails its attempt here, without a
 * breaker failure or a retry, as 503 {@code overloaded}. An attempt takes its connection from
 * {@code upstream.pool} (the gateway's own pool for {@code http://}, Vert.x's for {@code https://}
 * and upgrades) and gives an own-pool connection back once its request is sent and its response
 * has ended, reusable unless the upstream asked to close it or the exchange failed.
 */
package io.portcullis.proxy;
