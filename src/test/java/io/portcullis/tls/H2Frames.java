package io.portcullis.tls;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Hand-written HTTP/2 frames (RFC 9113 §4.1, §6) for raw-socket tests: the client preface, an
 * empty SETTINGS, a HEADERS frame with a literal HPACK block (RFC 7541 §6.1–§6.2, no Huffman),
 * RST_STREAM, and a reader of frame headers.
 */
final class H2Frames {

  static final int DATA = 0x0;
  static final int HEADERS = 0x1;
  static final int RST_STREAM = 0x3;
  static final int SETTINGS = 0x4;
  static final int GOAWAY = 0x7;
  /** RST_STREAM / GOAWAY code CANCEL. */
  static final int CANCEL = 0x8;
  /** GOAWAY code ENHANCE_YOUR_CALM. */
  static final int ENHANCE_YOUR_CALM = 0xb;

  static final int END_STREAM = 0x1;
  private static final int END_HEADERS = 0x4;

  /** One received frame. */
  record Frame(int type, int flags, int streamId, byte[] payload) {
    /** The error code of a GOAWAY frame. */
    int goAwayError() {
      return ((payload[4] & 0xff) << 24) | ((payload[5] & 0xff) << 16) | ((payload[6] & 0xff) << 8) | (payload[7] & 0xff);
    }
  }

  private H2Frames() {
  }

  /** The client connection preface followed by an empty SETTINGS frame. */
  static byte[] preface() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    header(out, 0, SETTINGS, 0, 0);
    return out.toByteArray();
  }

  /** A HEADERS frame for {@code GET path} (END_STREAM, END_HEADERS). */
  static void getHeaders(ByteArrayOutputStream out, int streamId, String authority, String path) {
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    block.write(0x82); // :method GET (static index 2)
    block.write(0x86); // :scheme http (static index 6)
    literal(block, 4, path); // :path, literal without indexing, name index 4
    literal(block, 1, authority); // :authority, name index 1
    byte[] bytes = block.toByteArray();
    header(out, bytes.length, HEADERS, END_STREAM | END_HEADERS, streamId);
    out.writeBytes(bytes);
  }

  /** A RST_STREAM frame. */
  static void rstStream(ByteArrayOutputStream out, int streamId, int errorCode) {
    header(out, 4, RST_STREAM, 0, streamId);
    int32(out, errorCode);
  }

  /** Reads one frame. */
  static Frame read(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    int length = (data.readUnsignedByte() << 16) | (data.readUnsignedByte() << 8) | data.readUnsignedByte();
    int type = data.readUnsignedByte();
    int flags = data.readUnsignedByte();
    int streamId = data.readInt() & 0x7fffffff;
    byte[] payload = new byte[length];
    data.readFully(payload);
    return new Frame(type, flags, streamId, payload);
  }

  private static void literal(ByteArrayOutputStream out, int nameIndex, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
    if (nameIndex >= 15 || bytes.length >= 127) {
      throw new IllegalArgumentException("keep test header fields short");
    }
    out.write(nameIndex); // 0000 + 4-bit index: literal header field without indexing
    out.write(bytes.length); // H = 0, 7-bit length
    out.writeBytes(bytes);
  }

  private static void header(ByteArrayOutputStream out, int length, int type, int flags, int streamId) {
    out.write((length >>> 16) & 0xff);
    out.write((length >>> 8) & 0xff);
    out.write(length & 0xff);
    out.write(type);
    out.write(flags);
    int32(out, streamId & 0x7fffffff);
  }

  private static void int32(ByteArrayOutputStream out, int value) {
    out.write((value >>> 24) & 0xff);
    out.write((value >>> 16) & 0xff);
    out.write((value >>> 8) & 0xff);
    out.write(value & 0xff);
  }
}
