package io.portcullis.aggregate;

/**
 * The concurrency permits of one aggregate request's branches (README "Overload: concurrency
 * limits"), decided before any branch is sent: a branch that was not admitted (its upstream's
 * limit was reached) is not called and is reported as {@code as=overloaded}; an admitted branch
 * tells how its upstream exchange went and when it ended, so its permit is completed then. Called
 * on the request's event loop, by branch index in the route's backend order.
 */
public interface BranchAdmission {

  /** Every branch admitted, nothing to tell (no branch's upstream has a limit). */
  BranchAdmission ALL = new BranchAdmission() {
    @Override
    public boolean admitted(int branch) {
      return true;
    }

    @Override
    public void headReceived(int branch, int status) {
    }

    @Override
    public void dropped(int branch) {
    }

    @Override
    public void ended(int branch) {
    }
  };

  /**
   * Whether {@code branch} may be sent.
   *
   * @param branch the backend's index
   * @return false when its upstream's limit was reached: it is omitted
   */
  boolean admitted(int branch);

  /** The response head of {@code branch} arrived with {@code status}. */
  void headReceived(int branch, int status);

  /** The upstream of {@code branch} did not answer (a reset or a per-try timeout). */
  void dropped(int branch);

  /** {@code branch} is over (its body read, or it failed): its permit is returned now. */
  void ended(int branch);
}
