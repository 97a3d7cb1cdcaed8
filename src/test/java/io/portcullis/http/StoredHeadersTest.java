package io.portcullis.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import io.vertx.core.http.impl.headers.HeadersAdaptor;
import io.vertx.core.http.impl.headers.HeadersMultiMap;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoredHeadersTest {

  @Test
  void anUpstreamResponsesHeadersAreTheNettyMapBehindTheAdaptor() {
    DefaultHttpHeaders netty = new DefaultHttpHeaders();
    AsciiString name = AsciiString.of("Content-Type");
    AsciiString value = AsciiString.of("application/json");
    netty.add(name, value);

    HttpHeaders stored = StoredHeaders.of(new HeadersAdaptor(netty));

    assertThat(stored).isSameAs(netty);
    Iterator<Map.Entry<CharSequence, CharSequence>> entries = stored.iteratorCharSequence();
    Map.Entry<CharSequence, CharSequence> only = entries.next();
    assertThat(only.getKey()).isSameAs(name);
    assertThat(only.getValue()).isSameAs(value);
    assertThat(entries.hasNext()).isFalse();
  }

  @Test
  void aServerRequestsHeadersAreTheirOwnNettyMap() {
    HeadersMultiMap headers = HeadersMultiMap.httpHeaders();
    headers.add("Host", "example.com");

    assertThat(StoredHeaders.of(headers)).isSameAs(headers);
  }

  @Test
  void http2HeadersHaveNoHttp1NettyMap() {
    MultiMap http2 = new io.vertx.core.http.impl.headers.Http2HeadersAdaptor(
        new io.netty.handler.codec.http2.DefaultHttp2Headers());
    http2.add("content-type", "application/json");

    assertThat(StoredHeaders.of(http2)).isNull();
  }
}
