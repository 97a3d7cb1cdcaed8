package io.portcullis.pipeline;

import io.portcullis.admission.Permit;
import io.portcullis.aggregate.BranchAdmission;
import io.portcullis.resilience.Ticker;

/**
 * The concurrency permits of one aggregate request's branches ({@link ConcurrencyStage}): which
 * were admitted, which were shed, and how each admitted branch's upstream exchange went. Each
 * permit is completed once: when its branch ends, or, for a branch still running, when the
 * request finishes (a hold of the {@link Exchange}). Confined to the request's event loop.
 */
final class BranchPermits implements BranchAdmission, Releasable {

  private final Exchange exchange;
  private final Ticker ticker;
  private final long admittedNanos;
  /** Admitted and not completed yet; null: not limited, shed, or completed. */
  private final Permit[] permits;
  private final boolean[] shed;
  private final int[] headStatus;
  private final long[] headNanos;
  private final boolean[] dropped;

  BranchPermits(Exchange exchange, int branches, Ticker ticker) {
    this.exchange = exchange;
    this.ticker = ticker;
    this.admittedNanos = ticker.nanos();
    this.permits = new Permit[branches];
    this.shed = new boolean[branches];
    this.headStatus = new int[branches];
    this.headNanos = new long[branches];
    this.dropped = new boolean[branches];
  }

  void admit(int branch, Permit permit) {
    permits[branch] = permit;
  }

  void shed(int branch) {
    shed[branch] = true;
  }

  @Override
  public boolean admitted(int branch) {
    return !shed[branch];
  }

  @Override
  public void headReceived(int branch, int status) {
    headStatus[branch] = status;
    headNanos[branch] = ticker.nanos();
  }

  @Override
  public void dropped(int branch) {
    dropped[branch] = true;
  }

  @Override
  public void ended(int branch) {
    complete(branch);
  }

  /** Completes every permit still held (the request finished, or a required branch was shed). */
  @Override
  public void release(Exchange finished) {
    for (int i = 0; i < permits.length; i++) {
      complete(i);
    }
  }

  private void complete(int branch) {
    Permit permit = permits[branch];
    if (permit == null) {
      return;
    }
    permits[branch] = null;
    int status = headStatus[branch];
    if (status > 0) {
      if (status < 500) {
        permit.onSuccess(admittedNanos, headNanos[branch]);
      } else {
        permit.onIgnore();
      }
    } else if (dropped[branch] || ConcurrencyStage.deadlinePassed(exchange)) {
      permit.onDropped(ticker.nanos());
    } else {
      permit.onIgnore();
    }
  }

  @Override
  public String toString() {
    return "BranchPermits[" + permits.length + " branches]";
  }
}
