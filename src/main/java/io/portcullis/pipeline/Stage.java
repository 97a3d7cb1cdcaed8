package io.portcullis.pipeline;

/**
 * One step of the request path (see {@code docs/architecture.md}). A stage is built once per
 * configuration snapshot and event loop, never per request, and is called on the request's event
 * loop with the request's {@link Exchange}. It answers with a {@link Verdict}, a constant, so a
 * synchronous decision allocates nothing:
 *
 * <ul>
 *   <li>{@link Verdict#CONTINUE}: the next stage runs at once;</li>
 *   <li>{@link Verdict#REFUSED}: the stage called {@link Exchange#refuse}; the request path
 *       answers with that error in its one failure path;</li>
 *   <li>{@link Verdict#HANDLED}: the stage answered, or handed the request to something that will
 *       (the dispatch), and no later stage runs;</li>
 *   <li>{@link Verdict#SUSPENDED}: the stage decides asynchronously (a store asked over the
 *       network, with its own timeout). The request path pauses the request body; the stage later
 *       calls {@link Exchange#resume()} or {@link Exchange#fail}, once, on the request's event
 *       loop.</li>
 * </ul>
 *
 * <p>A stage that takes something that must be given back when the request finishes (a
 * concurrency permit) registers it with {@link Exchange#hold}: it is released exactly once,
 * whichever way the request ends (answered, failed, client gone). Stages pass values to later
 * stages only through the exchange's fields, so adding a stage touches no other stage. A stage
 * may also throw: the request path answers a {@link io.portcullis.http.GatewayException} as it is
 * and anything else as 500 {@code internal_error}.
 */
@FunctionalInterface
public interface Stage {

  /** What a stage decided. */
  enum Verdict {
    /** Go on with the next stage. */
    CONTINUE,
    /** Answer with the error given to {@link Exchange#refuse}. */
    REFUSED,
    /** Answered or handed over: stop here. */
    HANDLED,
    /** Deciding asynchronously: the stage resumes or fails the exchange later. */
    SUSPENDED
  }

  /** Decides for {@code exchange}. */
  Verdict apply(Exchange exchange);
}
