package io.portcullis.config;

import io.portcullis.configfile.ConfigFiles;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The effective policy of a route and upstream, and the admin view ConfigWriter makes of it. */
class EffectivePolicyTest {

  private static final String CONFIG = ("{'deadline':{'defaultMs':7000},"
      + "'upstreams':{'backend':{'endpoints':['http://127.0.0.1:9'],"
      + "  'retry':{'maxAttempts':4,'baseDelayMs':50},'circuitBreaker':{'maxFailures':3}}},"
      + "'routes':["
      + " {'name':'strict','match':{'pathPrefix':'/strict'},'upstream':'backend','timeoutMs':1234,"
      + "  'retry':{'maxAttempts':1},'circuitBreaker':{'resetTimeoutMs':900},"
      + "  'rateLimit':{'requestsPerSecond':2.5}},"
      + " {'name':'plain','match':{'pathPrefix':'/'},'upstream':'backend'}]}").replace('\'', '"');

  private final GatewayConfig config = parse();

  private static GatewayConfig parse() {
    try {
      return ConfigFiles.parse(CONFIG);
    } catch (ConfigException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  private EffectivePolicy policy(int route) {
    return EffectivePolicy.of(config, config.routes().get(route), config.upstreams().get("backend"));
  }

  @Test
  void aRouteOverridesItsUpstreamFieldByFieldAndKeepsTheRest() {
    EffectivePolicy strict = policy(0);

    assertThat(strict.timeoutMs()).isEqualTo(1234);
    assertThat(strict.retry().maxAttempts()).isEqualTo(1);
    assertThat(strict.retry().baseDelayMs()).as("from the upstream").isEqualTo(50);
    assertThat(strict.circuitBreaker().resetTimeoutMs()).isEqualTo(900);
    assertThat(strict.circuitBreaker().maxFailures()).as("from the upstream").isEqualTo(3);
    assertThat(strict.rateLimit()).hasValueSatisfying(limit -> assertThat(limit.burst()).isEqualTo(3));
  }

  @Test
  void aRouteWithoutOverridesHasItsUpstreamPolicyAndTheDefaultTimeout() {
    EffectivePolicy plain = policy(1);

    assertThat(plain.timeoutMs()).isEqualTo(7000);
    assertThat(plain.retry()).isEqualTo(config.upstreams().get("backend").retry());
    assertThat(plain.circuitBreaker()).isEqualTo(config.upstreams().get("backend").circuitBreaker());
    assertThat(plain.rateLimit()).isEmpty();
  }

  @Test
  void theAdminViewWritesPoliciesInTheSameSpellingAsPrintConfig() {
    Map<String, Map<String, EffectivePolicy>> policies = new LinkedHashMap<>();
    policies.put("strict", Map.of("backend", policy(0)));
    policies.put("plain", Map.of("backend", policy(1)));

    JsonObject view = ConfigWriter.routesView(config, policies);
    JsonObject printed = ConfigWriter.toJson(config);

    JsonObject plain = view.getJsonArray("routes").getJsonObject(1);
    JsonObject upstream = printed.getJsonObject("upstreams").getJsonObject("backend");
    JsonObject effective = plain.getJsonObject("effective").getJsonObject("backend");
    assertThat(effective.getJsonObject("retry")).isEqualTo(upstream.getJsonObject("retry"));
    assertThat(effective.getJsonObject("circuitBreaker")).isEqualTo(upstream.getJsonObject("circuitBreaker"));
    assertThat(effective.getString("upstream")).isEqualTo("backend");
    assertThat(effective.getLong("timeoutMs")).isEqualTo(7000L);
    assertThat(plain.getLong("timeoutMs")).isEqualTo(7000L);
  }

  @Test
  void eachRouteOfTheAdminViewIsTheRouteAsPrintedPlusItsEffectivePolicies() {
    Map<String, Map<String, EffectivePolicy>> policies = Map.of("strict", Map.of("backend", policy(0)));

    JsonObject strict = ConfigWriter.routesView(config, policies).getJsonArray("routes").getJsonObject(0);
    JsonObject printed = ConfigWriter.toJson(config).getJsonArray("routes").getJsonObject(0);

    JsonObject withoutEffective = strict.copy();
    withoutEffective.remove("effective");
    assertThat(withoutEffective).isEqualTo(printed);
    JsonObject effective = strict.getJsonObject("effective").getJsonObject("backend");
    assertThat(effective.getJsonObject("retry").getInteger("maxAttempts")).isEqualTo(1);
    assertThat(effective.getJsonObject("circuitBreaker").getLong("resetTimeoutMs")).isEqualTo(900L);
    assertThat(effective.getJsonObject("rateLimit")).isEqualTo(printed.getJsonObject("rateLimit"));
  }
}
