/**
 * The request path: what happens to a client request between the edge and the upstream call, as
 * ordered {@link io.portcullis.pipeline.Stage}s run by one {@link io.portcullis.pipeline.RequestPath}
 * (README "How a request flows", {@code docs/architecture.md}). The order lives in
 * {@link io.portcullis.pipeline.RequestPaths#standard}: hygiene → reserved paths → forbidden
 * methods → loops ({@code Via}) → route → {@code Max-Forwards} → admission (rate limit, local or
 * cluster-wide; then the upstream's concurrency limit, {@link io.portcullis.pipeline.ConcurrencyStage},
 * the one owner of concurrency permits: taken there, completed there when the request finishes) →
 * deadline → body limit → dispatch. Each stage is a
 * small class built once per configuration snapshot and event loop; per request there is one
 * {@link io.portcullis.pipeline.Exchange}. Every refusal and failure is answered in one place
 * ({@code RequestPath.fail}); every request is finished once (holds released, deadline timer
 * cancelled, listener told). Matched routes are {@link io.portcullis.pipeline.RouteTarget}s.
 */
package io.portcullis.pipeline;
