package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.configfile.ConfigFiles;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The configuration of overload protection, hedging, client addresses behind proxies, loops,
 * cluster-wide rate limits and DNS discovery: defaults, accepted forms and their printed form.
 */
class TrafficControlConfigTest {

  /** A document with the given server members, upstream members, route members and top-level members. */
  private static String doc(String server, String upstreamExtra, String routeExtra, String top) {
    return ("{" + (server.isEmpty() ? "" : "'server':{" + server + "},")
        + "'upstreams':{'svc':{'endpoints':['http://svc.internal:8080']" + upstreamExtra + "}},"
        + "'routes':[{'name':'items','match':{'pathPrefix':'/items'},'upstream':'svc'" + routeExtra + "}]"
        + top + "}").replace('\'', '"');
  }

  private static GatewayConfig parse(String json) throws ConfigException {
    GatewayConfig config = ConfigFiles.parse(json, name -> null);
    assertThat(ConfigFiles.parse(ConfigLoader.toJson(config).encode(), name -> null))
        .as("the printed configuration reads back the same").isEqualTo(config);
    return config;
  }

  @Test
  void everyNewKeyDefaultsToTodaysBehaviour() throws ConfigException {
    GatewayConfig config = parse(doc("", "", "", ""));

    UpstreamConfig svc = config.upstreams().get("svc");
    assertThat(svc.concurrency()).isEqualTo(new ConcurrencyConfig(ConcurrencyMode.OFF, 20, 2, 1000));
    assertThat(svc.concurrency().limited()).isFalse();
    assertThat(svc.pool()).isEqualTo(new PoolConfig(512, OptionalInt.empty()));
    assertThat(svc.pool().maxPendingOrUnbounded()).as("Vert.x's unbounded wait queue").isEqualTo(-1);
    assertThat(svc.discovery()).isEqualTo(new DiscoveryConfig(false, 5000));
    RouteConfig route = config.routes().get(0);
    assertThat(route.hedge()).isEmpty();
    assertThat(config.server().proxyProtocol()).isFalse();
    assertThat(config.server().trustedProxies()).isEmpty();
    assertThat(config.server().maxHops()).isEqualTo(10);
    assertThat(config.redis()).isEmpty();
    assertThat(config.dns().servers()).isEmpty();
  }

  @Test
  void readsTheOverloadExample() throws ConfigException {
    GatewayConfig config = parse(doc("",
        ",'concurrency':{'mode':'adaptive','initial':20,'min':2,'max':1000},"
            + "'pool':{'maxConnections':512,'maxPending':256}", "", ""));

    UpstreamConfig svc = config.upstreams().get("svc");
    assertThat(svc.concurrency()).isEqualTo(new ConcurrencyConfig(ConcurrencyMode.ADAPTIVE, 20, 2, 1000));
    assertThat(svc.pool()).isEqualTo(new PoolConfig(512, OptionalInt.of(256)));
    assertThat(svc.pool().maxPendingOrUnbounded()).isEqualTo(256);
  }

  @ParameterizedTest(name = "{0} gives initial {1}, min {2}, max {3}")
  @CsvSource(delimiter = '|', value = {
      "'mode':'fixed','max':5      | 5  | 2 | 5",
      "'max':1                     | 1  | 1 | 1",
      "'min':50                    | 50 | 50 | 1000",
      "'min':5,'max':10            | 10 | 5 | 10",
      "'initial':7                 | 7  | 2 | 1000",
      // fixed uses max only: initial and min are not checked against it
      "'mode':'fixed','max':5,'initial':20,'min':10 | 5 | 5 | 5"})
  void concurrencyDefaultsAreHeldWithinTheBoundsGiven(String members, int initial, int min, int max)
      throws ConfigException {
    GatewayConfig config = parse(doc("", ",'concurrency':{" + members + "}", "", ""));

    ConcurrencyConfig concurrency = config.upstreams().get("svc").concurrency();
    assertThat(List.of(concurrency.initial(), concurrency.min(), concurrency.max())).containsExactly(initial, min, max);
  }

  @Test
  void readsAHedgeAfterADelayOrAPercentile() throws ConfigException {
    HedgeConfig delay = parse(doc("", "", ",'hedge':{'delayMs':30}", "")).routes().get(0).hedge().orElseThrow();
    HedgeConfig percentile = parse(doc("", "", ",'timeoutMs':50,'hedge':{'percentile':99.5,'maxHedges':2}", ""))
        .routes().get(0).hedge().orElseThrow();

    assertThat(delay).isEqualTo(HedgeConfig.afterDelay(30, 1));
    assertThat(percentile).isEqualTo(HedgeConfig.atPercentile(99.5, 2));
    assertThat(percentile.delayMs()).isEmpty();
  }

  @Test
  void aHedgeDelayJustBelowTheTimeoutIsAccepted() throws ConfigException {
    assertThat(parse(doc("", "", ",'timeoutMs':100,'hedge':{'delayMs':99}", "")).routes().get(0).hedge()).isPresent();
  }

  @Test
  void readsTheClientAddressAndLoopSettings() throws ConfigException {
    GatewayConfig config = parse(doc(
        "'proxyProtocol':true,'trustedProxies':['127.0.0.0/8','10.1.2.3/8','fd00::/8','192.168.0.9'],'maxHops':3",
        "", "", ""));

    assertThat(config.server().proxyProtocol()).isTrue();
    assertThat(config.server().trustedProxies()).extracting(CidrBlock::toString)
        .containsExactly("127.0.0.0/8", "10.0.0.0/8", "fd00::/8", "192.168.0.9/32");
    assertThat(config.server().maxHops()).isEqualTo(3);
  }

  @ParameterizedTest(name = "{0} holds {1}: {2}")
  @CsvSource({
      "10.0.0.0/8, 10.255.1.2, true",
      "10.0.0.0/8, 11.0.0.1, false",
      "0.0.0.0/0, 203.0.113.9, true",
      "192.168.1.128/25, 192.168.1.200, true",
      "192.168.1.128/25, 192.168.1.127, false",
      "127.0.0.1, 127.0.0.1, true",
      "127.0.0.1, 127.0.0.2, false",
      "10.0.0.0/8, ::ffff:10.1.1.1, true",
      "10.0.0.0/8, ::1, false",
      "fd00::/8, fdab::1, true",
      "fd00::/8, fe80::1, false",
      "::/0, 2001:db8::1, true",
      // One 128-bit space: IPv4 is ::ffff:0:0/96, which ::/0 covers.
      "::/0, 10.0.0.1, true",
      "::ffff:10.0.0.0/104, 10.20.30.40, true",
      "::ffff:10.0.0.0/104, 11.0.0.1, false",
      "2001:db8::/32, 10.0.0.1, false",
      "2001:db8::/33, 2001:db8:7fff::1, true",
      "2001:db8::/33, 2001:db8:8000::1, false"})
  void cidrBlocksHoldTheAddressesOfTheirPrefix(String block, String address, boolean held) throws Exception {
    CidrBlock cidr = CidrBlock.parse(block);
    IpLiteral ip = new IpLiteral();

    assertThat(cidr).as(block).isNotNull();
    assertThat(ip.parse(address)).as(address).isTrue();
    assertThat(cidr.contains(ip)).isEqualTo(held);
    assertThat(cidr.contains(InetAddress.getByName(address))).isEqualTo(held); // a literal: never looked up
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0/8", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/08", "010.0.0.0/8", "256.0.0.0/8",
      "1.2.3.4.5", "::1/129", "::1%lo/128", "[::1]/128", "localhost", "cafe", "face:b00c", "abc.de/8", " 10.0.0.0/8",
      "10.0.0.0 /8", "\u0661.2.3.4", "::g", ":::", "1:2:3:4:5:6:7:8:9", "", "/8", "10.0.0.0/-1", "10.0.0.0/8/8",
      "10.0.0.0/+8", "::/129", "fe80::1%eth0/64", "lb.internal"})
  void textThatIsNoBlockIsRefusedWithoutALookup(String text) {
    assertThat(CidrBlock.parse(text)).isNull();
  }

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
      "127.0.0.1, 127.0.0.1:53",
      "127.0.0.1:5353, 127.0.0.1:5353",
      "[::1]:53, [::1]:53",
      "[0:0::1], [::1]:53",
      "::1, [::1]:53",
      "[FD00:0:0:0:0:0:0:1]:1, [fd00::1]:1"})
  void dnsServersAreAddressesWithPort53UnlessGiven(String text, String shown) throws ConfigException {
    GatewayConfig config = parse(doc("", "", "", ",'dns':{'servers':['" + text + "']}"));

    assertThat(config.dns().servers()).extracting(DnsServer::toString).containsExactly(shown);
  }

  @Test
  void readsDiscoveryOfAnUpstreamKeepingItsHostNames() throws ConfigException {
    GatewayConfig config = parse(doc("", ",'discovery':{'dns':true,'refreshMs':250}", "",
        ",'dns':{'servers':['127.0.0.1:5353']}"));

    UpstreamConfig svc = config.upstreams().get("svc");
    assertThat(svc.discovery()).isEqualTo(new DiscoveryConfig(true, 250));
    assertThat(svc.endpoints()).containsExactly(new Endpoint("http", "svc.internal", 8080));
    assertThat(config.dns().servers()).containsExactly(new DnsServer("127.0.0.1", 5353));
  }

  @ParameterizedTest
  @ValueSource(strings = {"redis://127.0.0.1:6379", "rediss://:secret@redis.internal:6380/2",
      "redis://user:pw@[::1]:6379/0", "redis://redis_cache", "redis://h/", "redis://:p%40ss@h"})
  void acceptsRedisConnectionStrings(String endpoint) throws ConfigException {
    GatewayConfig config = parse(doc("", "", ",'rateLimit':{'requestsPerSecond':10,'scope':'cluster'}",
        ",'redis':{'endpoint':'" + endpoint + "','timeoutMs':20}"));

    assertThat(config.redis()).contains(new RedisConfig(endpoint, 20));
    assertThat(config.routes().get(0).rateLimit().orElseThrow().scope()).isEqualTo(RateLimitScope.CLUSTER);
  }

  @Test
  void redisTimeoutDefaultsTo25AndRateLimitsToTheInstanceScope() throws ConfigException {
    GatewayConfig config = parse(doc("", "", ",'rateLimit':{'requestsPerSecond':10}",
        ",'redis':{'endpoint':'redis://127.0.0.1'}"));

    assertThat(config.redis().orElseThrow().timeoutMs()).isEqualTo(25);
    assertThat(config.routes().get(0).rateLimit().orElseThrow().scope()).isEqualTo(RateLimitScope.INSTANCE);
  }

  @Test
  void aSchemaKeyIsAllowedAndIgnored() throws ConfigException {
    String withSchema = doc("", "", "", "").replaceFirst("\\{", "{\"\\$schema\":\"./schema/portcullis.schema.json\",");

    GatewayConfig config = parse(withSchema);

    assertThat(config).isEqualTo(parse(doc("", "", "", "")));
    assertThat(ConfigLoader.toJson(config).containsKey("$schema")).as("not printed").isFalse();
  }

  @Test
  void aSchemaKeyOfAnyTypeIsIgnoredToo() throws ConfigException {
    for (String value : new String[] {"5", "null", "{\"a\":1}", "[\"x\"]", "true"}) {
      String withSchema = doc("", "", "", "").replaceFirst("\\{", "{\"\\$schema\":" + value + ",");

      assertThat(parse(withSchema)).as("$schema: %s", value).isEqualTo(parse(doc("", "", "", "")));
    }
  }

  @Test
  void printsTheNewKeysInTheInputSchema() throws ConfigException {
    JsonObject json = ConfigLoader.toJson(parse(doc("'trustedProxies':['10.0.0.1/8']",
        ",'pool':{'maxPending':0}", ",'hedge':{'percentile':95},'rateLimit':{'requestsPerSecond':1,'scope':'cluster'}",
        ",'redis':{'endpoint':'redis://h:1'},'dns':{'servers':['::1']}")));

    assertThat(json.getJsonObject("server").getJsonArray("trustedProxies").getList()).containsExactly("10.0.0.0/8");
    assertThat(json.getJsonObject("upstreams").getJsonObject("svc").getJsonObject("pool").getMap())
        .containsEntry("maxPending", 0);
    JsonObject route = json.getJsonArray("routes").getJsonObject(0);
    assertThat(route.getJsonObject("hedge").getMap()).containsOnlyKeys("percentile", "maxHedges")
        .containsEntry("percentile", 95L);
    assertThat(route.getJsonObject("rateLimit").getString("scope")).isEqualTo("cluster");
    assertThat(json.getJsonObject("redis").getMap()).containsEntry("endpoint", "redis://h:1").containsEntry("timeoutMs", 25L);
    assertThat(json.getJsonObject("dns").getJsonArray("servers").getList()).containsExactly("[::1]:53");
  }

  @Test
  void aRouteWithoutHedgeOrLimitStillComparesEqualToOneMadeWithTheShortConstructor() {
    MatchConfig match = new MatchConfig(Optional.empty(), Optional.of("/"), java.util.Set.of());
    RouteConfig short8 = new RouteConfig("r", match, Optional.of("u"), List.of(), Optional.empty(),
        java.util.OptionalLong.empty(), RetryOverride.NONE, BreakerOverride.NONE);

    assertThat(short8.hedge()).isEmpty();
    assertThat(short8.rateLimit()).isEmpty();
  }
}
