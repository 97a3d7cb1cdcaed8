package io.portcullis.http;

import io.netty.util.AsciiString;

import java.util.Arrays;
import java.util.Collection;
import java.util.Locale;

/**
 * A fixed set of header names matched case-insensitively without allocating: names are
 * bucketed by length and compared ignoring case, as {@link String}s or as the
 * {@link AsciiString}s the HTTP decoders make. Built once; safe to share across threads.
 */
public final class HeaderNameSet {

  private final String[][] byLength;

  /** A set of {@code names} (any case). */
  public HeaderNameSet(Collection<String> names) {
    int max = 0;
    for (String n : names) {
      max = Math.max(max, n.length());
    }
    String[][] buckets = new String[max + 1][];
    for (String n : names) {
      String lower = n.toLowerCase(Locale.ROOT);
      String[] bucket = buckets[lower.length()];
      if (bucket == null) {
        buckets[lower.length()] = new String[] {lower};
      } else if (!Arrays.asList(bucket).contains(lower)) {
        String[] grown = Arrays.copyOf(bucket, bucket.length + 1);
        grown[bucket.length] = lower;
        buckets[lower.length()] = grown;
      }
    }
    this.byLength = buckets;
  }

  /** Whether {@code name} is in the set, ignoring case. */
  public boolean contains(CharSequence name) {
    int length = name.length();
    if (length >= byLength.length) {
      return false;
    }
    String[] bucket = byLength[length];
    if (bucket == null) {
      return false;
    }
    for (String candidate : bucket) {
      if (AsciiString.contentEqualsIgnoreCase(candidate, name)) {
        return true;
      }
    }
    return false;
  }

  /** A new set with the names of both. */
  public HeaderNameSet plus(Collection<String> more) {
    java.util.ArrayList<String> all = new java.util.ArrayList<>(more);
    for (String[] bucket : byLength) {
      if (bucket != null) {
        all.addAll(Arrays.asList(bucket));
      }
    }
    return new HeaderNameSet(all);
  }
}
