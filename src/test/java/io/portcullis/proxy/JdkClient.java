package io.portcullis.proxy;

import io.portcullis.testkit.TestGateway;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The JDK's HTTP/1.1 client, for tests that want a client other than Vert.x's own. */
final class JdkClient {

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();

  private JdkClient() {
  }

  /** A GET of {@code path} on the gateway's main port, with header names and values alternating. */
  static HttpResponse<String> get(TestGateway gateway, String path, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(gateway.url(path)))
        .timeout(Duration.ofSeconds(30)).GET();
    if (headers.length > 0) {
      builder.headers(headers);
    }
    return send(builder.build());
  }

  /** Sends {@code request} and reads the whole body as text. */
  static HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
