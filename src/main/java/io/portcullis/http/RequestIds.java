package io.portcullis.http;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Request ids (README "How a request flows"): an incoming id is kept when valid, else a new UUID is made. */
public final class RequestIds {

  /** Longest incoming id kept. */
  public static final int MAX_LENGTH = 128;

  private RequestIds() {
  }

  /** True when {@code id} is 1..128 visible ASCII characters (0x21..0x7E). */
  public static boolean isValid(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c < 0x21 || c > 0x7E) {
        return false;
      }
    }
    return true;
  }

  /** The incoming id if valid, else a fresh random UUID. */
  public static String keepOrCreate(String incoming) {
    return isValid(incoming) ? incoming : newId();
  }

  /** A fresh version-4 UUID; uses the thread-local generator so the event loop never contends. */
  public static String newId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long msb = (r.nextLong() & 0xffffffffffff0fffL) | 0x0000000000004000L;
    long lsb = (r.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
    return new UUID(msb, lsb).toString();
  }
}
