/**
 * Fan-out aggregation: one client request calls several backends in parallel under the one
 * request deadline, each through its upstream's full pipeline, and their JSON bodies are
 * merged under their {@code as} keys. A failed optional backend gives a partial answer marked
 * by {@code X-Gateway-Completed: false} and {@code X-Gateway-Failed}; a failed required one
 * fails the request and cancels the other branches. Branches whose upstream's concurrency limit
 * was reached are decided before any is sent ({@link io.portcullis.aggregate.BranchAdmission}, filled
 * in by the request path's concurrency stage): such a branch is not called and is reported as
 * {@code as=overloaded}.
 */
package io.portcullis.aggregate;
