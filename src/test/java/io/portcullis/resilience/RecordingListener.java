package io.portcullis.resilience;

import java.util.ArrayList;
import java.util.List;

/** A listener that writes every event as a line a test can compare. */
final class RecordingListener implements RetryListener {
  final List<String> events = new ArrayList<>();
  final List<GiveUpReason> giveUps = new ArrayList<>();
  final List<Outcome> giveUpOutcomes = new ArrayList<>();

  @Override
  public void onAttempt(int attempt) {
    events.add("attempt " + attempt);
  }

  @Override
  public void onRetry(int nextAttempt, long delayMs, Outcome previous) {
    events.add("retry " + nextAttempt + " after " + delayMs + "ms on " + previous.label());
  }

  @Override
  public void onGiveUp(GiveUpReason reason, Outcome last) {
    events.add("give-up " + reason.label() + " on " + last.label());
    giveUps.add(reason);
    giveUpOutcomes.add(last);
  }
}
