package io.portcullis.http;

import java.util.Collection;

/**
 * An immutable set of HTTP status codes (0..999) tested without boxing: a bit per code. Made once
 * per configuration (the breaker failure statuses of a call plan) and read on every attempt; safe
 * to share across threads.
 */
public final class StatusSet {

  private static final int CODES = 1000;

  private final long[] bits = new long[(CODES + Long.SIZE - 1) / Long.SIZE];
  private final int size;

  private StatusSet(Collection<Integer> statuses) {
    int count = 0;
    for (int status : statuses) {
      if (status < 0 || status >= CODES) {
        throw new IllegalArgumentException("status: " + status + " (expected: 0..999)");
      }
      long bit = 1L << status;
      if ((bits[status >>> 6] & bit) == 0) {
        bits[status >>> 6] |= bit;
        count++;
      }
    }
    this.size = count;
  }

  /** The set of {@code statuses}. */
  public static StatusSet of(Collection<Integer> statuses) {
    return new StatusSet(statuses);
  }

  /** Whether {@code status} is in the set. */
  public boolean contains(int status) {
    return status >= 0 && status < CODES && (bits[status >>> 6] & (1L << status)) != 0;
  }

  /** How many codes the set holds. */
  public int size() {
    return size;
  }
}
