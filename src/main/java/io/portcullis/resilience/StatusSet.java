package io.portcullis.resilience;

import java.util.AbstractSet;
import java.util.Collection;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * An immutable set of HTTP status codes (0..999) tested without boxing ({@link #contains(int)}):
 * a bit per code. Made once per configuration (a retry policy's {@code retryOn} statuses, the
 * breaker failure statuses of a call plan) and read on every attempt; safe to share across
 * threads. As a {@code Set<Integer>} it is read-only and iterates in ascending order.
 */
public final class StatusSet extends AbstractSet<Integer> {

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

  @Override
  public boolean contains(Object o) {
    return o instanceof Integer status && contains(status.intValue());
  }

  /** How many codes the set holds. */
  @Override
  public int size() {
    return size;
  }

  @Override
  public Iterator<Integer> iterator() {
    return new Iterator<>() {
      private int next = after(-1);

      @Override
      public boolean hasNext() {
        return next < CODES;
      }

      @Override
      public Integer next() {
        if (next >= CODES) {
          throw new NoSuchElementException();
        }
        int current = next;
        next = after(current);
        return current;
      }
    };
  }

  /** The smallest code in the set above {@code status}; {@code CODES} when there is none. */
  private int after(int status) {
    for (int code = status + 1; code < CODES; code++) {
      if ((bits[code >>> 6] & (1L << code)) != 0) {
        return code;
      }
    }
    return CODES;
  }
}
