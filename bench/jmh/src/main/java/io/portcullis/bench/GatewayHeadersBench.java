package io.portcullis.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.AsciiString;
import io.portcullis.http.RequestIds;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.impl.headers.HeadersMultiMap;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * What the headers the gateway adds to every upstream request cost in Vert.x's client map, from
 * the adds to the encoded bytes: {@code X-Request-Id}, {@code X-Forwarded-For}, {@code -Proto},
 * {@code -Host}, {@code Via}, {@code X-Attempt-Count} and the deadline header, added to a
 * {@code HeadersMultiMap.httpHeaders()} (validated, as Vert.x makes a client request's) and
 * encoded into a direct buffer as the HTTP/1.1 encoder does. {@code stringValues} makes every
 * value a {@code String}; {@code asciiValues} makes the request id, the constants and the
 * connection's address {@code AsciiString}s (kept per connection or made once), which the
 * validator and the encoder read as bytes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GatewayHeadersBench {

  private static final CharSequence REQUEST_ID = HttpHeaders.createOptimized("X-Request-Id");
  private static final CharSequence FORWARDED_FOR = HttpHeaders.createOptimized("X-Forwarded-For");
  private static final CharSequence FORWARDED_PROTO = HttpHeaders.createOptimized("X-Forwarded-Proto");
  private static final CharSequence FORWARDED_HOST = HttpHeaders.createOptimized("X-Forwarded-Host");
  private static final CharSequence VIA = HttpHeaders.createOptimized("Via");
  private static final CharSequence ATTEMPT = HttpHeaders.createOptimized("X-Attempt-Count");
  private static final CharSequence DEADLINE = HttpHeaders.createOptimized("x-request-timeout-ms");

  private static final AsciiString HTTP = AsciiString.cached("http");
  private static final AsciiString VIA_11 = AsciiString.cached("1.1 portcullis");
  private static final AsciiString ONE = AsciiString.cached("1");

  private ByteBuf buf;
  private final String peer = "127.0.0.1";
  private final AsciiString peerAscii = new AsciiString("127.0.0.1");
  private final String host = "127.0.0.1:18090";
  private long deadline = 14_999;

  @Setup(Level.Trial)
  public void setup() {
    buf = UnpooledByteBufAllocator.DEFAULT.directBuffer(4096);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    buf.release();
  }

  @Benchmark
  public int stringValues() {
    MultiMap h = HeadersMultiMap.httpHeaders();
    h.add(REQUEST_ID, RequestIds.newId());
    h.add(FORWARDED_FOR, peer);
    h.add(FORWARDED_PROTO, "http");
    h.add(FORWARDED_HOST, host);
    h.add(VIA, "1.1 portcullis");
    h.add(ATTEMPT, "1");
    h.add(DEADLINE, Long.toString(deadline));
    buf.clear();
    ((HeadersMultiMap) h).encode(buf, false);
    return buf.writerIndex();
  }

  @Benchmark
  public int asciiValues() {
    MultiMap h = HeadersMultiMap.httpHeaders();
    h.add(REQUEST_ID, newAsciiId());
    h.add(FORWARDED_FOR, peerAscii);
    h.add(FORWARDED_PROTO, HTTP);
    h.add(FORWARDED_HOST, host);
    h.add(VIA, VIA_11);
    h.add(ATTEMPT, ONE);
    h.add(DEADLINE, Long.toString(deadline));
    buf.clear();
    ((HeadersMultiMap) h).encode(buf, false);
    return buf.writerIndex();
  }

  @Benchmark
  public String idOnly() {
    return RequestIds.newId();
  }

  @Benchmark
  public AsciiString asciiIdOnly() {
    return newAsciiId();
  }

  private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** A version-4 UUID as {@link RequestIds#newId()} makes it, written straight into ASCII bytes. */
  private static AsciiString newAsciiId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long msb = (r.nextLong() & 0xffffffffffff0fffL) | 0x0000000000004000L;
    long lsb = (r.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
    byte[] b = new byte[36];
    hex(b, 0, msb >>> 32, 8);
    b[8] = '-';
    hex(b, 9, msb >>> 16, 4);
    b[13] = '-';
    hex(b, 14, msb, 4);
    b[18] = '-';
    hex(b, 19, lsb >>> 48, 4);
    b[23] = '-';
    hex(b, 24, lsb, 12);
    return new AsciiString(b, false);
  }

  private static void hex(byte[] b, int at, long v, int digits) {
    for (int i = at + digits - 1; i >= at; i--) {
      b[i] = HEX[(int) (v & 0xf)];
      v >>>= 4;
    }
  }
}
