package io.portcullis.testkit;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real DNS server on a UDP socket ({@code 127.0.0.1}, port 0) whose answers a test changes while
 * clients ask: built on Netty's DNS codec, so it can also give the answers no well-behaved server
 * gives (bytes that are not DNS, silence). Per name: addresses (answered as A or AAAA records by
 * family), {@code NXDOMAIN}, {@code SERVFAIL}, an empty {@code NOERROR} answer, garbage, or no
 * answer at all. Names it was not told about get {@code NXDOMAIN}. Counts the queries per name.
 */
public final class DnsTestServer implements AutoCloseable {

  /** What the server answers for a name. */
  public sealed interface Answer {
  }

  /** A and AAAA records for these addresses (literals, by family). */
  public record Addresses(List<String> addresses) implements Answer {
  }

  /** A response code and no records ({@code NOERROR} then means an empty answer). */
  public record Code(DnsResponseCode code) implements Answer {
  }

  /** Bytes that are not a DNS message (after the query's id, so that it reaches the asker). */
  public record Garbage() implements Answer {
  }

  /** No answer at all. */
  public record Silence() implements Answer {
  }

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private final Map<String, Answer> aaaaAnswers = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> queries = new ConcurrentHashMap<>();
  private final Channel channel;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  private DnsTestServer() {
    Bootstrap bootstrap = new Bootstrap().group(group).channel(NioDatagramChannel.class)
        .handler(new ChannelInitializer<DatagramChannel>() {
          @Override
          protected void initChannel(DatagramChannel ch) {
            ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(), new Responder());
          }
        });
    try {
      this.channel = bootstrap.bind("127.0.0.1", 0).sync().channel();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Starts a server. */
  public static DnsTestServer start() {
    return new DnsTestServer();
  }

  /** The port it answers on. */
  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** From now on, answers {@code name} with {@code answer}. */
  public void answer(String name, Answer answer) {
    answers.put(key(name), answer);
  }

  /**
   * From now on, answers AAAA queries for {@code name} with {@code answer}, whatever {@link
   * #answer(String, Answer)} says for the other types.
   */
  public void answerAaaa(String name, Answer answer) {
    aaaaAnswers.put(key(name), answer);
  }

  /** From now on, answers {@code name} with these addresses. */
  public void answer(String name, String... addresses) {
    answer(name, new Addresses(List.of(addresses)));
  }

  /** Queries received for {@code name}, of any type. */
  public int queries(String name) {
    AtomicInteger n = queries.get(key(name));
    return n == null ? 0 : n.get();
  }

  private static String key(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.endsWith(".") ? lower : lower + ".";
  }

  /** Stops answering (the port is closed: queries to it go unanswered); a second call does nothing. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Responder extends SimpleChannelInboundHandler<DatagramDnsQuery> {

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
      DnsQuestion question = query.recordAt(DnsSection.QUESTION);
      String name = key(question.name());
      queries.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
      Answer answer = DnsRecordType.AAAA.equals(question.type()) && aaaaAnswers.containsKey(name)
          ? aaaaAnswers.get(name)
          : answers.getOrDefault(name, new Code(DnsResponseCode.NXDOMAIN));
      if (answer instanceof Silence) {
        return;
      }
      if (answer instanceof Garbage) {
        ByteBuf junk = Unpooled.buffer();
        junk.writeShort(query.id());
        junk.writeBytes(new byte[] {(byte) 0x81, (byte) 0x80, 0x7f, 0x7f, 0x7f, 0x7f, 0x01, 0x02, 0x03});
        ctx.writeAndFlush(new DatagramPacket(junk, query.sender()));
        return;
      }
      DatagramDnsResponse response = new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
      response.setRecursionDesired(query.isRecursionDesired());
      response.setRecursionAvailable(true);
      response.setAuthoritativeAnswer(true);
      response.addRecord(DnsSection.QUESTION, question);
      if (answer instanceof Code code) {
        response.setCode(code.code());
      } else if (answer instanceof Addresses addresses) {
        for (String address : addresses.addresses()) {
          byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
          DnsRecordType type = bytes.length == 4 ? DnsRecordType.A : DnsRecordType.AAAA;
          if (type.equals(question.type())) {
            response.addRecord(DnsSection.ANSWER,
                new DefaultDnsRawRecord(question.name(), type, 30, Unpooled.wrappedBuffer(bytes)));
          }
        }
      }
      ctx.writeAndFlush(response);
    }
  }
}
