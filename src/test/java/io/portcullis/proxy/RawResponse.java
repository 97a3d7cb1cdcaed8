package io.portcullis.proxy;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** A parsed HTTP/1.1 response read off a raw socket. */
record RawResponse(int status, List<Map.Entry<String, String>> headerList, byte[] body) {
  List<String> headers(String name) {
    return headerList.stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).toList();
  }

  String header(String name) {
    List<String> all = headers(name);
    return all.isEmpty() ? null : all.get(0);
  }

  String text() {
    return new String(body, StandardCharsets.UTF_8);
  }

  JsonObject json() {
    return new JsonObject(text());
  }
}
