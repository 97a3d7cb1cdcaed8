package io.portcullis.config;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Defensive, order-keeping, unmodifiable copies for the record components. */
final class Immutables {
  private Immutables() {}

  /** An unmodifiable set with the iteration order of {@code items}; nulls are rejected. */
  static <T> Set<T> orderedSet(Collection<T> items, String what) {
    Objects.requireNonNull(items, what);
    Set<T> copy = new LinkedHashSet<>();
    for (T item : items) {
      copy.add(Objects.requireNonNull(item, what + " element"));
    }
    return Collections.unmodifiableSet(copy);
  }

  /** Like {@link #orderedSet} but keeps {@code null} as "not given". */
  static <T> Set<T> orderedSetOrNull(Collection<T> items, String what) {
    return items == null ? null : orderedSet(items, what);
  }

  /** An unmodifiable map with the iteration order of {@code entries}; nulls are rejected. */
  static <K, V> Map<K, V> orderedMap(Map<K, V> entries, String what) {
    Objects.requireNonNull(entries, what);
    Map<K, V> copy = new LinkedHashMap<>();
    entries.forEach(
        (k, v) -> copy.put(Objects.requireNonNull(k, what + " key"), Objects.requireNonNull(v, what + " value")));
    return Collections.unmodifiableMap(copy);
  }
}
