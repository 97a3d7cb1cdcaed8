package io.portcullis.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.Await;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Rapid reset (CVE-2023-44487): a client that opens streams and resets them at once, in a
 * flood, is cut off with {@code GOAWAY ENHANCE_YOUR_CALM}; the gateway stays healthy for other
 * clients, and the upstream sees only a small fraction of the flood.
 */
@Timeout(120)
class RapidResetTest {

  private static final int FLOOD = 10_000;

  @Test
  void rapidResetFloodIsCutOffAndNeitherTheGatewayNorTheUpstreamIsOverwhelmed() throws Exception {
    try (FakeBackend backend = FakeBackend.ok("fine");
         TestGateway gateway = TestGateway.start(TestGateway.proxyConfig(null, backend.port())
             .put("server", new JsonObject().put("h2c", true)));
         EdgeClient other = EdgeClient.h2c();
         Socket socket = new Socket("127.0.0.1", gateway.port())) {
      socket.setSoTimeout(30_000);
      String authority = "127.0.0.1:" + gateway.port();
      CompletableFuture<H2Frames.Frame> goAway = CompletableFuture.supplyAsync(() -> readUntilGoAway(socket));

      OutputStream out = socket.getOutputStream();
      out.write(H2Frames.preface());
      int sent = 0;
      try {
        for (int batch = 0; batch < FLOOD / 100; batch++) {
          ByteArrayOutputStream frames = new ByteArrayOutputStream();
          for (int i = 0; i < 100; i++) {
            int streamId = 2 * sent + 1;
            H2Frames.getHeaders(frames, streamId, authority, "/flood");
            H2Frames.rstStream(frames, streamId, H2Frames.CANCEL);
            sent++;
          }
          out.write(frames.toByteArray());
          out.flush();
        }
      } catch (SocketException e) {
        // The gateway closed the flooding connection while it was still writing: expected.
      }

      H2Frames.Frame frame = goAway.get(30, TimeUnit.SECONDS);
      assertThat(frame).as("GOAWAY received").isNotNull();
      assertThat(frame.goAwayError()).isEqualTo(H2Frames.ENHANCE_YOUR_CALM);
      assertThat(socketClosedByPeer(socket)).as("flooding connection closed").isTrue();

      long start = System.nanoTime();
      EdgeClient.Reply reply = Await.result(other.send("127.0.0.1", gateway.port(), "/after"), 5_000);
      assertThat(reply.version()).isEqualTo(HttpVersion.HTTP_2);
      assertThat(reply.status()).isEqualTo(200);
      assertThat((System.nanoTime() - start) / 1_000_000L).isLessThan(5_000);
      // Streams opened after the limit are never dispatched; those before were cancelled early.
      assertThat(backend.requests()).as("upstream requests for %d flood streams sent", sent)
          .isLessThan(FLOOD / 10);
    }
  }

  /** Reads frames until a GOAWAY arrives (returned) or the connection ends (null). */
  private static H2Frames.Frame readUntilGoAway(Socket socket) {
    try {
      InputStream in = socket.getInputStream();
      while (true) {
        H2Frames.Frame frame = H2Frames.read(in);
        if (frame.type() == H2Frames.GOAWAY) {
          return frame;
        }
      }
    } catch (IOException e) {
      return null;
    }
  }

  /** Whether the peer has closed the connection (a read ends or fails rather than blocking). */
  private static boolean socketClosedByPeer(Socket socket) throws IOException {
    socket.setSoTimeout(10_000);
    InputStream in = socket.getInputStream();
    try {
      byte[] buf = new byte[8192];
      while (true) {
        if (in.read(buf) < 0) {
          return true;
        }
      }
    } catch (EOFException | SocketException e) {
      return true;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    }
  }
}
