package io.portcullis.ratelimit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua script that decides one request against a cluster bucket, atomically on the Redis side.
 *
 * <p>It is the GCRA of the local buckets ({@code TokenBucket}): the bucket is one number, its
 * "theoretical arrival time" {@code tat}; a request at {@code now} is admitted when
 * {@code max(tat, now) + interval - now <= burst * interval}, which moves {@code tat} on by one
 * interval; otherwise the excess is the wait until the next token. Differences from the local
 * form: time is Redis's own ({@code TIME}, one clock for every gateway, so their clocks need not
 * agree) in microseconds since the epoch (a Lua number holds those exactly: they stay below
 * 2^53), and a key expires when its bucket would be full again, which makes it equal to a new
 * one. A value that is not a number (a key some other program wrote) counts as a full bucket.
 *
 * <p>{@code KEYS[1]}: the bucket. {@code ARGV[1]}: microseconds per token. {@code ARGV[2]}: the
 * burst times {@code ARGV[1]}. Answer: 0 when admitted, else the wait in microseconds ({@code >=
 * 1}). Redis 5 and later replicate a script's effects rather than the script, so reading
 * {@code TIME} before writing is allowed.
 */
public final class ClusterScript {

  /** The script's text. */
  public static final String SOURCE = String.join("\n",
      "local interval = tonumber(ARGV[1])",
      "local tolerance = tonumber(ARGV[2])",
      "local time = redis.call('TIME')",
      "local now = tonumber(time[1]) * 1000000 + tonumber(time[2])",
      "local tat = tonumber(redis.call('GET', KEYS[1]))",
      "if tat == nil or tat < now then",
      "  tat = now",
      "end",
      "local ahead = tat + interval - now",
      "if ahead > tolerance then",
      "  return ahead - tolerance",
      "end",
      "redis.call('SET', KEYS[1], string.format('%d', tat + interval), 'PX', math.ceil(ahead / 1000))",
      "return 0");

  /** The SHA-1 of {@link #SOURCE} in lower-case hex, as {@code EVALSHA} and {@code SCRIPT LOAD} name it. */
  public static final String SHA1 = sha1(SOURCE);

  private ClusterScript() {
  }

  private static String sha1(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-1");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every Java platform", e);
    }
  }
}
