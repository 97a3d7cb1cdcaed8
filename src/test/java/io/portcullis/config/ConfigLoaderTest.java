package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.portcullis.configfile.ConfigFiles;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {

  // ---- building documents: single quotes stand for double quotes, for readability ----

  private static final String UPSTREAMS = "'upstreams':{'users':{'endpoints':['http://127.0.0.1:9001']}}";
  private static final String TWO_UPSTREAMS = "'upstreams':{'users':{'endpoints':['http://127.0.0.1:9001']},"
      + "'orders':{'endpoints':['http://127.0.0.1:9003']}}";
  private static final String ROUTE = "{'name':'users','match':{'pathPrefix':'/api/users'},'upstream':'users'}";
  private static final String ROUTES = "'routes':[" + ROUTE + "]";

  /** A document made of the given top-level members. */
  private static String doc(String... members) {
    return ("{" + String.join(",", members) + "}").replace('\'', '"');
  }

  /** The minimal document with members added to the top level. */
  private static String top(String... members) {
    String[] all = Stream.concat(Stream.of(members), Stream.of(UPSTREAMS, ROUTES)).toArray(String[]::new);
    return doc(all);
  }

  /** The minimal document whose upstream {@code users} has extra members. */
  private static String upstream(String members) {
    return doc("'upstreams':{'users':{'endpoints':['http://127.0.0.1:9001']," + members + "}}", ROUTES);
  }

  /** Upstreams {@code users} and {@code orders} with the given routes. */
  private static String routes(String... routes) {
    return doc(TWO_UPSTREAMS, "'routes':[" + String.join(",", routes) + "]");
  }

  private static String route(String extra) {
    return "{'name':'users','match':{'pathPrefix':'/api/users'},'upstream':'users'," + extra + "}";
  }

  private static String aggregateRoute(String matchAndMore, String backends) {
    return "{'name':'profile'," + matchAndMore + ",'aggregate':[" + backends + "]}";
  }

  private static Arguments bad(String story, String json, String... errors) {
    return arguments(story, json, List.of(errors));
  }

  private static List<String> errorsOf(String json) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigFiles.parse(json));
    assertThat(e).as("expected a ConfigException for %s", json).isNotNull();
    assertThat(e.getMessage()).isEqualTo(String.join("\n", e.errors()));
    return e.errors();
  }

  // ---- the table ----

  static Stream<Arguments> badConfigs() {
    return Stream.of(
        // document shape
        bad("top level is an array", "[1, 2]", "$: must be a JSON object"),
        bad("top level is a string", "\"gateway\"", "$: must be a JSON object"),
        bad("empty object lacks upstreams and routes", "{}", "upstreams: required", "routes: required"),
        bad("unknown top-level key", top("'serverx':{}"), "serverx: unknown key"),
        bad("unknown nested key", top("'server':{'prot':8080}"), "server.prot: unknown key"),
        bad("odd key is bracket-quoted", top("'server':{'my key':1}"), "server[\"my key\"]: unknown key"),
        bad("duplicate key", top("'server':{'port':1,'port':2}"), "server.port: duplicate key"),
        bad("null where an object belongs", top("'server':null"), "server: must be an object, got null"),

        // types
        bad("port as a string", top("'server':{'port':'8080'}"), "server.port: must be an integer, got \"8080\""),
        bad("fractional integer", top("'server':{'port':1.5}"), "server.port: must be an integer, got 1.5"),
        bad("boolean as a number", top("'accessLog':{'enabled':1}"), "accessLog.enabled: must be a boolean, got 1"),
        bad("endpoints as an object", upstream("'x':0").replace("[\"http://127.0.0.1:9001\"]", "{}"),
            "upstreams.users.endpoints: must be an array, got {}", "upstreams.users.x: unknown key"),
        bad("host as a number", top("'server':{'host':5}"), "server.host: must be a string, got 5"),
        bad("number as a string", upstream("'retry':{'budgetRatio':'0.2'}"),
            "upstreams.users.retry.budgetRatio: must be a number, got \"0.2\""),
        bad("int option beyond 32 bits", top("'server':{'maxHeaderBytes':3000000000}"),
            "server.maxHeaderBytes: must be <= 2147483647, got 3000000000"),
        bad("long option beyond 64 bits", top("'server':{'maxBodyBytes':99999999999999999999}"),
            "server.maxBodyBytes: must be <= 9223372036854775807, got 99999999999999999999"),

        // server, admin, shutdown
        bad("port above 65535", top("'server':{'port':70000}"), "server.port: must be between 0 and 65535, got 70000"),
        bad("every server range",
            top("'server':{'host':'','instances':-1,'maxHeaderBytes':1000,'maxBodyBytes':-1,'idleTimeoutMs':-1}"),
            "server.host: must not be empty",
            "server.instances: must be >= 0, got -1",
            "server.maxHeaderBytes: must be >= 1024, got 1000",
            "server.maxBodyBytes: must be >= 0, got -1",
            "server.idleTimeoutMs: must be >= 0, got -1"),
        bad("negative admin port", top("'admin':{'port':-1}"), "admin.port: must be between 0 and 65535, got -1"),
        bad("admin port equals server port", top("'server':{'port':9000}", "'admin':{'port':9000}"),
            "admin.port: must differ from server.port 9000, got 9000"),
        bad("default admin port equals server port", top("'server':{'port':9901}"),
            "admin.port: must differ from server.port 9901, got 9901 (default)"),
        bad("negative shutdown phases", top("'shutdown':{'drainMs':-1,'graceMs':-5}"),
            "shutdown.drainMs: must be >= 0, got -1", "shutdown.graceMs: must be >= 0, got -5"),

        // deadline
        bad("deadline header not a token", top("'deadline':{'header':'X Bad'}"),
            "deadline.header: must be an HTTP header field name (token), got \"X Bad\""),
        bad("zero deadlines", top("'deadline':{'defaultMs':0,'maxMs':0}"),
            "deadline.defaultMs: must be >= 1, got 0", "deadline.maxMs: must be >= 1, got 0"),

        // upstreams
        bad("upstreams as an array", doc("'upstreams':[]", ROUTES),
            "upstreams: must be an object, got []",
            "routes[0].upstream: unknown upstream \"users\""),
        bad("upstream as a number", doc("'upstreams':{'users':5}", ROUTES), "upstreams.users: must be an object, got 5"),
        bad("bad upstream names",
            doc("'upstreams':{'a b':{'endpoints':['http://h:1']},'':{'endpoints':['http://h:2']},"
                + "'users':{'endpoints':['http://h:3']}}", ROUTES),
            "upstreams[\"a b\"]: upstream name must match [A-Za-z0-9._-]+, got \"a b\"",
            "upstreams[\"\"]: upstream name must not be empty"),
        bad("endpoints missing", doc("'upstreams':{'users':{}}", ROUTES), "upstreams.users.endpoints: required"),
        bad("endpoints empty", doc("'upstreams':{'users':{'endpoints':[]}}", ROUTES),
            "upstreams.users.endpoints: must not be empty"),
        bad("endpoint URLs",
            doc("'upstreams':{'users':{'endpoints':['http://127.0.0.1:9001','localhost:9001','ftp://h:21',"
                + "'http://user@h:1','http://h:1/api','http://h:1?x=1','http://h:70000',7,'http://127.0.0.1:9001/',"
                + "'http://a_b@c:1','http://a b:1','http://a_b:x']}}",
                ROUTES),
            "upstreams.users.endpoints[1]: must be an http(s) URL like \"http://host:port\", got \"localhost:9001\"",
            "upstreams.users.endpoints[2]: must be an http(s) URL like \"http://host:port\", got \"ftp://h:21\"",
            "upstreams.users.endpoints[3]: must be an http(s) URL like \"http://host:port\", got \"http://user@h:1\"",
            "upstreams.users.endpoints[4]: must be an http(s) URL like \"http://host:port\", got \"http://h:1/api\"",
            "upstreams.users.endpoints[5]: must be an http(s) URL like \"http://host:port\", got \"http://h:1?x=1\"",
            "upstreams.users.endpoints[6]: must be an http(s) URL like \"http://host:port\", got \"http://h:70000\"",
            "upstreams.users.endpoints[7]: must be a string, got 7",
            "upstreams.users.endpoints[8]: duplicate endpoint \"http://127.0.0.1:9001\"",
            "upstreams.users.endpoints[9]: must be an http(s) URL like \"http://host:port\", got \"http://a_b@c:1\"",
            "upstreams.users.endpoints[10]: must be an http(s) URL like \"http://host:port\", got \"http://a b:1\"",
            "upstreams.users.endpoints[11]: must be an http(s) URL like \"http://host:port\", got \"http://a_b:x\""),
        bad("unknown balancer", upstream("'balancer':'random'"),
            "upstreams.users.balancer: must be one of \"round-robin\", \"least-requests\", got \"random\""),
        bad("zero connect timeout", upstream("'connectTimeoutMs':0"),
            "upstreams.users.connectTimeoutMs: must be >= 1, got 0"),
        bad("every breaker range",
            upstream("'circuitBreaker':{'maxFailures':0,'rollingWindowMs':999,'resetTimeoutMs':0,"
                + "'failureStatuses':[500,99,600,'503']}"),
            "upstreams.users.circuitBreaker.maxFailures: must be >= 1, got 0",
            "upstreams.users.circuitBreaker.rollingWindowMs: must be >= 1000, got 999",
            "upstreams.users.circuitBreaker.resetTimeoutMs: must be >= 1, got 0",
            "upstreams.users.circuitBreaker.failureStatuses[1]: must be between 100 and 599, got 99",
            "upstreams.users.circuitBreaker.failureStatuses[2]: must be between 100 and 599, got 600",
            "upstreams.users.circuitBreaker.failureStatuses[3]: must be an integer, got \"503\""),
        bad("no attempt at all", upstream("'retry':{'maxAttempts':0}"),
            "upstreams.users.retry.maxAttempts: must be >= 1, got 0"),
        bad("too many attempts", upstream("'retry':{'maxAttempts':11}"),
            "upstreams.users.retry.maxAttempts: must be <= 10, got 11"),
        bad("every retry number range",
            upstream("'retry':{'baseDelayMs':0,'maxDelayMs':0,'perTryTimeoutMs':-1,'budgetRatio':1.5,"
                + "'budgetMinPerSecond':-1}"),
            "upstreams.users.retry.baseDelayMs: must be >= 1, got 0",
            "upstreams.users.retry.maxDelayMs: must be >= 1, got 0",
            "upstreams.users.retry.perTryTimeoutMs: must be >= 0, got -1",
            "upstreams.users.retry.budgetRatio: must be between 0 and 1, got 1.5",
            "upstreams.users.retry.budgetMinPerSecond: must be >= 0, got -1"),
        bad("backoff cap below its base", upstream("'retry':{'baseDelayMs':100,'maxDelayMs':50}"),
            "upstreams.users.retry.maxDelayMs: must be >= baseDelayMs 100, got 50"),
        bad("backoff base above the default cap", upstream("'retry':{'baseDelayMs':500}"),
            "upstreams.users.retry.maxDelayMs: must be >= baseDelayMs 500, got 250 (default)"),
        bad("unknown jitter", upstream("'retry':{'jitter':'random'}"),
            "upstreams.users.retry.jitter: must be one of \"full\", \"equal\", \"decorrelated\", \"none\", got \"random\""),
        bad("retryOn tokens", upstream("'retry':{'retryOn':['reset','502','oops','600',502]}"),
            "upstreams.users.retry.retryOn[2]: must be \"connect-failure\", \"reset\", \"per-try-timeout\" or a status"
                + " 100-599, got \"oops\"",
            "upstreams.users.retry.retryOn[3]: must be \"connect-failure\", \"reset\", \"per-try-timeout\" or a status"
                + " 100-599, got \"600\"",
            "upstreams.users.retry.retryOn[4]: must be a string, got 502"),
        bad("retry methods not tokens", upstream("'retry':{'methods':['get','G T','']}"),
            "upstreams.users.retry.methods[1]: must be an HTTP method token, got \"G T\"",
            "upstreams.users.retry.methods[2]: must be an HTTP method token, got \"\""),
        bad("every health check rule",
            upstream("'healthCheck':{'path':'health','intervalMs':1000,'timeoutMs':1000,'unhealthyThreshold':0,"
                + "'healthyThreshold':0,'port':1}"),
            "upstreams.users.healthCheck.path: must start with \"/\", got \"health\"",
            "upstreams.users.healthCheck.timeoutMs: must be below intervalMs 1000, got 1000",
            "upstreams.users.healthCheck.unhealthyThreshold: must be >= 1, got 0",
            "upstreams.users.healthCheck.healthyThreshold: must be >= 1, got 0",
            "upstreams.users.healthCheck.port: unknown key"),
        bad("health interval below the default probe timeout", upstream("'healthCheck':{'intervalMs':500}"),
            "upstreams.users.healthCheck.timeoutMs: must be below intervalMs 500, got 1000 (default)"),
        bad("health check as a boolean", upstream("'healthCheck':true"),
            "upstreams.users.healthCheck: must be an object, got true"),

        // routes
        bad("routes missing", doc(UPSTREAMS), "routes: required"),
        bad("routes empty", doc(UPSTREAMS, "'routes':[]"), "routes: must not be empty"),
        bad("routes as an object", doc(UPSTREAMS, "'routes':{}"), "routes: must be an array, got {}"),
        bad("route as a number", routes("5"), "routes[0]: must be an object, got 5"),
        bad("empty route", routes("{}"),
            "routes[0].name: required",
            "routes[0].match: required",
            "routes[0]: must have exactly one of \"upstream\" or \"aggregate\""),
        bad("unknown upstream", routes(ROUTE, "{'name':'b','match':{'pathPrefix':'/b'},'upstream':'user'}"),
            "routes[1].upstream: unknown upstream \"user\""),
        bad("duplicate route name",
            routes(ROUTE, "{'name':'b','match':{'pathPrefix':'/b'},'upstream':'users'}", ROUTE),
            "routes[2].name: duplicate route name \"users\""),
        bad("empty route name", routes("{'name':'','match':{'pathPrefix':'/'},'upstream':'users'}"),
            "routes[0].name: must not be empty"),
        bad("both upstream and aggregate",
            routes(route("'aggregate':[{'upstream':'users','path':'/u','as':'u'}]")),
            "routes[0]: must have exactly one of \"upstream\" or \"aggregate\""),
        bad("both path and pathPrefix",
            routes("{'name':'r','match':{'path':'/a','pathPrefix':'/a'},'upstream':'users'}"),
            "routes[0].match: must have exactly one of \"path\" or \"pathPrefix\""),
        bad("neither path nor pathPrefix", routes("{'name':'r','match':{},'upstream':'users'}"),
            "routes[0].match: must have exactly one of \"path\" or \"pathPrefix\""),
        bad("relative prefix", routes("{'name':'r','match':{'pathPrefix':'api'},'upstream':'users'}"),
            "routes[0].match.pathPrefix: must start with \"/\", got \"api\""),
        bad("prefix with a trailing slash", routes("{'name':'r','match':{'pathPrefix':'/api/'},'upstream':'users'}"),
            "routes[0].match.pathPrefix: must not end with \"/\" (prefixes match whole segments), got \"/api/\""),
        bad("parameter in a prefix", routes("{'name':'r','match':{'pathPrefix':'/api/:id'},'upstream':'users'}"),
            "routes[0].match.pathPrefix: must not contain \":\" (parameters are only allowed in match.path),"
                + " got \"/api/:id\""),
        bad("path parameters", routes("{'name':'r','match':{'path':'/a/:1d/:id/:id/x:y'},'upstream':'users'}"),
            "routes[0].match.path: invalid parameter name \":1d\" (must match [A-Za-z_][A-Za-z0-9_]*)",
            "routes[0].match.path: duplicate parameter \":id\"",
            "routes[0].match.path: \":\" may only start a whole-segment parameter, got \"/a/:1d/:id/:id/x:y\""),
        bad("impossible path characters",
            routes("{'name':'a','match':{'path':'/a b'},'upstream':'users'}",
                "{'name':'b','match':{'path':'/a?x=1'},'upstream':'users'}",
                "{'name':'c','match':{'pathPrefix':'/a//b'},'upstream':'users'}"),
            "routes[0].match.path: must not contain whitespace, \"?\" or \"#\", got \"/a b\"",
            "routes[1].match.path: must not contain whitespace, \"?\" or \"#\", got \"/a?x=1\"",
            "routes[2].match.pathPrefix: must not contain an empty segment \"//\", got \"/a//b\""),
        bad("match method not a token",
            routes("{'name':'r','match':{'pathPrefix':'/','methods':['GET','P OST']},'upstream':'users'}"),
            "routes[0].match.methods[1]: must be an HTTP method token, got \"P OST\""),
        bad("stripPrefix splits a segment", routes(route("'stripPrefix':'/ap'")),
            "routes[0].stripPrefix: must be a whole-segment prefix of match.pathPrefix \"/api/users\", got \"/ap\""),
        bad("stripPrefix with a trailing slash", routes(route("'stripPrefix':'/api/'")),
            "routes[0].stripPrefix: must be a whole-segment prefix of match.pathPrefix \"/api/users\", got \"/api/\""),
        bad("relative stripPrefix", routes(route("'stripPrefix':'api'")),
            "routes[0].stripPrefix: must start with \"/\", got \"api\""),
        bad("stripPrefix over a path parameter",
            routes("{'name':'r','match':{'path':'/api/:id'},'upstream':'users','stripPrefix':'/api/:id'}"),
            "routes[0].stripPrefix: must be a whole-segment prefix of match.path \"/api/:id\", got \"/api/:id\""),
        bad("stripPrefix on an aggregate route",
            routes(aggregateRoute("'match':{'pathPrefix':'/api'},'stripPrefix':'/api'",
                "{'upstream':'users','path':'/u','as':'u'}")),
            "routes[0].stripPrefix: not allowed on an aggregate route"),
        bad("zero route timeout", routes(route("'timeoutMs':0")), "routes[0].timeoutMs: must be >= 1, got 0"),
        bad("empty aggregate", routes(aggregateRoute("'match':{'pathPrefix':'/p'}", "")),
            "routes[0].aggregate: must not be empty"),
        bad("aggregate as a string", routes("{'name':'p','match':{'pathPrefix':'/p'},'aggregate':'users'}"),
            "routes[0].aggregate: must be an array, got \"users\""),
        bad("empty aggregate backend", routes(aggregateRoute("'match':{'pathPrefix':'/p'}", "{}")),
            "routes[0].aggregate[0].upstream: required",
            "routes[0].aggregate[0].path: required",
            "routes[0].aggregate[0].as: required"),
        bad("aggregate backend with an unknown upstream",
            routes(ROUTE, aggregateRoute("'match':{'path':'/api/profile/:id'}",
                "{'upstream':'users','path':'/users/:id','as':'user'},{'upstream':'order','path':'/o','as':'orders'}")),
            "routes[1].aggregate[1].upstream: unknown upstream \"order\""),
        bad("aggregate path with an unknown parameter",
            routes(ROUTE, aggregateRoute("'match':{'path':'/api/profile/:id'}",
                "{'upstream':'users','path':'/users/:uid','as':'user'}")),
            "routes[1].aggregate[0].path: unknown parameter \":uid\" (route path \"/api/profile/:id\")"),
        bad("aggregate path with a parameter under a prefix route",
            routes(aggregateRoute("'match':{'pathPrefix':'/api'}", "{'upstream':'users','path':'/users/:id','as':'u'}")),
            "routes[0].aggregate[0].path: unknown parameter \":id\" (route pathPrefix \"/api\" has no parameters)"),
        bad("relative aggregate path",
            routes(aggregateRoute("'match':{'pathPrefix':'/p'}", "{'upstream':'users','path':'users','as':'u'}")),
            "routes[0].aggregate[0].path: must start with \"/\", got \"users\""),
        bad("aggregate names and required flag",
            routes(aggregateRoute("'match':{'pathPrefix':'/p'}",
                "{'upstream':'users','path':'/a','as':'user'},{'upstream':'users','path':'/b','as':'user'},"
                    + "{'upstream':'users','path':'/c','as':''},"
                    + "{'upstream':'orders','path':'/d','as':'x','required':'yes','timeout':1}")),
            "routes[0].aggregate[1].as: duplicate backend name \"user\"",
            "routes[0].aggregate[2].as: must not be empty",
            "routes[0].aggregate[3].required: must be a boolean, got \"yes\"",
            "routes[0].aggregate[3].timeout: unknown key"),

        // route overrides
        bad("bad retry override", routes(route("'retry':{'maxAttemps':2,'maxAttempts':0,'jitter':'x'}")),
            "routes[0].retry.maxAttemps: unknown key",
            "routes[0].retry.maxAttempts: must be >= 1, got 0",
            "routes[0].retry.jitter: must be one of \"full\", \"equal\", \"decorrelated\", \"none\", got \"x\""),
        bad("bad breaker override",
            routes(route("'circuitBreaker':{'rollingWindowMs':500,'failureStatuses':[700],'x':1}")),
            "routes[0].circuitBreaker.rollingWindowMs: must be >= 1000, got 500",
            "routes[0].circuitBreaker.failureStatuses[0]: must be between 100 and 599, got 700",
            "routes[0].circuitBreaker.x: unknown key"),
        bad("override as an array", routes(route("'retry':[]")), "routes[0].retry: must be an object, got []"),

        // coherence (README "Command line": incoherent settings are errors)
        bad("route per-try timeout not below the route timeout",
            routes(route("'timeoutMs':3000,'retry':{'perTryTimeoutMs':3000}")),
            "routes[0].retry.perTryTimeoutMs: must be below the route timeout 3000, got 3000"),
        bad("upstream per-try timeout not below an aggregate route's timeout",
            doc("'upstreams':{'users':{'endpoints':['http://127.0.0.1:9001'],'retry':{'perTryTimeoutMs':2500}}}",
                "'routes':[" + ROUTE + ",{'name':'profile','match':{'path':'/api/profile/:id'},'timeoutMs':2000,"
                    + "'aggregate':[{'upstream':'users','path':'/users/:id','as':'user'}]}]"),
            "upstreams.users.retry.perTryTimeoutMs: must be below the timeout 2000 of route \"profile\", got 2500"),
        bad("upstream per-try timeout not below the default deadline", upstream("'retry':{'perTryTimeoutMs':20000}"),
            "upstreams.users.retry.perTryTimeoutMs: must be below the timeout 15000 of route \"users\", got 20000"),
        // one mistake in a retry object does not hide a conflict of its other values
        bad("an unknown key beside a per-try timeout conflict",
            upstream("'retry':{'perTryTimeoutMs':20000,'jiter':'none'}"),
            "upstreams.users.retry.perTryTimeoutMs: must be below the timeout 15000 of route \"users\", got 20000",
            "upstreams.users.retry.jiter: unknown key"),
        bad("an invalid maxAttempts beside a backoff cap below its base",
            upstream("'retry':{'maxAttempts':11,'baseDelayMs':100,'maxDelayMs':10}"),
            "upstreams.users.retry.maxAttempts: must be <= 10, got 11",
            "upstreams.users.retry.maxDelayMs: must be >= baseDelayMs 100, got 10"),
        bad("an upstream's backoff conflict beside a route's per-try timeout conflict",
            doc("'upstreams':{'users':{'endpoints':['http://127.0.0.1:9001'],'retry':{'baseDelayMs':100,'maxDelayMs':10}}}",
                "'routes':[" + route("'timeoutMs':100,'retry':{'perTryTimeoutMs':200}") + "]"),
            "upstreams.users.retry.maxDelayMs: must be >= baseDelayMs 100, got 10",
            "routes[0].retry.perTryTimeoutMs: must be below the route timeout 100, got 200"),
        bad("an invalid route override member beside its per-try timeout conflict",
            routes(route("'timeoutMs':100,'retry':{'maxAttempts':0,'perTryTimeoutMs':200}")),
            "routes[0].retry.maxAttempts: must be >= 1, got 0",
            "routes[0].retry.perTryTimeoutMs: must be below the route timeout 100, got 200"),
        bad("route backoff base above the upstream's cap", routes(route("'retry':{'baseDelayMs':500}")),
            "routes[0].retry.baseDelayMs: must be <= the maxDelayMs 250 of upstream \"users\", got 500"),
        bad("route backoff cap below the upstream's base", routes(route("'retry':{'maxDelayMs':10}")),
            "routes[0].retry.maxDelayMs: must be >= the baseDelayMs 25 of upstream \"users\", got 10"),
        bad("route backoff cap below its own base", routes(route("'retry':{'baseDelayMs':100,'maxDelayMs':50}")),
            "routes[0].retry.maxDelayMs: must be >= baseDelayMs 100, got 50"),
        bad("a broken route timeout is reported once, not compared",
            routes(route("'timeoutMs':'3000','retry':{'perTryTimeoutMs':5000}")),
            "routes[0].timeoutMs: must be an integer, got \"3000\""),

        // concurrency and pool
        bad("unknown concurrency mode", upstream("'concurrency':{'mode':'auto'}"),
            "upstreams.users.concurrency.mode: must be one of \"off\", \"fixed\", \"adaptive\", got \"auto\""),
        bad("non-positive concurrency bounds", upstream("'concurrency':{'initial':0,'min':-1,'max':0}"),
            "upstreams.users.concurrency.initial: must be >= 1, got 0",
            "upstreams.users.concurrency.min: must be >= 1, got -1",
            "upstreams.users.concurrency.max: must be >= 1, got 0"),
        bad("concurrency min above max", upstream("'concurrency':{'mode':'adaptive','min':50,'max':10}"),
            "upstreams.users.concurrency.min: must be <= max 10, got 50"),
        bad("concurrency min above the default max", upstream("'concurrency':{'min':2000}"),
            "upstreams.users.concurrency.min: must be <= max 1000 (default), got 2000"),
        bad("concurrency initial outside min..max",
            upstream("'concurrency':{'mode':'adaptive','initial':5,'min':10,'max':100}"),
            "upstreams.users.concurrency.initial: must be between min 10 and max 100, got 5"),
        bad("concurrency initial above max", upstream("'concurrency':{'initial':101,'max':100}"),
            "upstreams.users.concurrency.initial: must be between min 2 and max 100, got 101"),
        bad("concurrency as a number", upstream("'concurrency':5"),
            "upstreams.users.concurrency: must be an object, got 5"),
        bad("unknown pool key", upstream("'pool':{'maxConnection':5}"), "upstreams.users.pool.maxConnection: unknown key"),
        bad("non-positive pool bounds", upstream("'pool':{'maxConnections':0,'maxPending':-1}"),
            "upstreams.users.pool.maxConnections: must be >= 1, got 0",
            "upstreams.users.pool.maxPending: must be >= 0, got -1"),
        bad("pool bound beyond 32 bits", upstream("'pool':{'maxPending':4294967296}"),
            "upstreams.users.pool.maxPending: must be <= 2147483647, got 4294967296"),

        // hedging
        bad("hedge with both delayMs and percentile", routes(route("'hedge':{'delayMs':30,'percentile':95}")),
            "routes[0].hedge: must have exactly one of \"delayMs\" or \"percentile\""),
        bad("hedge with neither delayMs nor percentile", routes(route("'hedge':{'maxHedges':2}")),
            "routes[0].hedge: must have exactly one of \"delayMs\" or \"percentile\""),
        bad("hedge percentile of 100 or more", routes(route("'hedge':{'percentile':120}")),
            "routes[0].hedge.percentile: must be > 0 and < 100, got 120"),
        bad("hedge percentile of 0", routes(route("'hedge':{'percentile':0}")),
            "routes[0].hedge.percentile: must be > 0 and < 100, got 0"),
        bad("hedge percentile as a string", routes(route("'hedge':{'percentile':'p95'}")),
            "routes[0].hedge.percentile: must be a number, got \"p95\""),
        bad("hedge delay and count out of range", routes(route("'hedge':{'delayMs':0,'maxHedges':0}")),
            "routes[0].hedge.delayMs: must be >= 1, got 0", "routes[0].hedge.maxHedges: must be >= 1, got 0"),
        bad("more hedges than attempts allow", routes(route("'hedge':{'delayMs':5,'maxHedges':10}")),
            "routes[0].hedge.maxHedges: must be <= 9, got 10"),
        bad("hedge delay not below the route timeout", routes(route("'timeoutMs':100,'hedge':{'delayMs':100}")),
            "routes[0].hedge.delayMs: must be below the route timeout 100, got 100"),
        bad("hedge delay not below the default deadline", routes(route("'hedge':{'delayMs':20000}")),
            "routes[0].hedge.delayMs: must be below the route timeout 15000 (deadline.defaultMs), got 20000"),
        bad("hedge on an aggregate route",
            routes(aggregateRoute("'match':{'path':'/p/:id'}", "{'upstream':'users','path':'/u/:id','as':'u'}")
                .replace("}]}", "}],'hedge':{'delayMs':10}}")),
            "routes[0].hedge: applies to proxy routes only (this route has \"aggregate\")"),
        bad("hedge on a websocket route", routes(route("'websocket':true,'hedge':{'delayMs':10}")),
            "routes[0].hedge: not allowed on a WebSocket route (this route has \"websocket\": true)"),
        bad("unknown hedge key", routes(route("'hedge':{'delay':10}")),
            "routes[0].hedge.delay: unknown key",
            "routes[0].hedge: must have exactly one of \"delayMs\" or \"percentile\""),

        // client address and loops
        bad("proxyProtocol as a string", top("'server':{'proxyProtocol':'yes'}"),
            "server.proxyProtocol: must be a boolean, got \"yes\""),
        bad("trusted proxy that is not a CIDR block",
            top("'server':{'trustedProxies':['10.0.0.0/8','10.0.0/8','fd00::/129',7,'::1%lo','example.com/8']}"),
            "server.trustedProxies[1]: not a CIDR block: \"10.0.0/8\" (expected ADDRESS/BITS like \"10.0.0.0/8\" or "
                + "\"fd00::/8\")",
            "server.trustedProxies[2]: not a CIDR block: \"fd00::/129\" (expected ADDRESS/BITS like \"10.0.0.0/8\" or "
                + "\"fd00::/8\")",
            "server.trustedProxies[3]: must be a string, got 7",
            "server.trustedProxies[4]: not a CIDR block: \"::1%lo\" (expected ADDRESS/BITS like \"10.0.0.0/8\" or "
                + "\"fd00::/8\")",
            "server.trustedProxies[5]: not a CIDR block: \"example.com/8\" (expected ADDRESS/BITS like \"10.0.0.0/8\" or "
                + "\"fd00::/8\")"),
        bad("trustedProxies as a string", top("'server':{'trustedProxies':'10.0.0.0/8'}"),
            "server.trustedProxies: must be an array, got \"10.0.0.0/8\""),
        bad("maxHops of zero", top("'server':{'maxHops':0}"), "server.maxHops: must be >= 1, got 0"),

        // Redis and cluster rate limits
        bad("cluster rate limit without redis",
            routes(route("'rateLimit':{'requestsPerSecond':10,'scope':'cluster'}")),
            "routes[0].rateLimit.scope: \"cluster\" needs a top-level \"redis\" object (the Redis that holds the "
                + "buckets), and there is none"),
        bad("unknown rate limit scope", routes(route("'rateLimit':{'requestsPerSecond':10,'scope':'global'}")),
            "routes[0].rateLimit.scope: must be one of \"instance\", \"cluster\", got \"global\""),
        bad("redis without an endpoint (a missing member is named last)", top("'redis':{'timeoutMs':0}"),
            "redis.timeoutMs: must be >= 1, got 0", "redis.endpoint: required"),
        bad("redis endpoint of another scheme", top("'redis':{'endpoint':'http://127.0.0.1:6379'}"),
            "redis.endpoint: must be a Redis URL like \"redis://host:6379\" (redis://[:password@]host[:port][/db], "
                + "or rediss:// for TLS), got \"http://127.0.0.1:6379\""),
        bad("redis endpoint with a bad port", top("'redis':{'endpoint':'redis://127.0.0.1:70000'}"),
            "redis.endpoint: must be a Redis URL like \"redis://host:6379\" (redis://[:password@]host[:port][/db], "
                + "or rediss:// for TLS), got \"redis://127.0.0.1:70000\""),
        bad("redis endpoint with a non-numeric database", top("'redis':{'endpoint':'redis://h/zero'}"),
            "redis.endpoint: must be a Redis URL like \"redis://host:6379\" (redis://[:password@]host[:port][/db], "
                + "or rediss:// for TLS), got \"redis://h/zero\""),
        bad("redis as a string", top("'redis':'redis://127.0.0.1'"), "redis: must be an object, got \"redis://127.0.0.1\""),

        // DNS discovery
        bad("dns server that is not an address",
            top("'dns':{'servers':['127.0.0.1:5353','[::1]:53','dns.internal:53','127.0.0.1:0','[::1',5]}"),
            "dns.servers[2]: must be an IP address with an optional port, like \"127.0.0.1:53\" or \"[::1]:53\", "
                + "got \"dns.internal:53\"",
            "dns.servers[3]: must be an IP address with an optional port, like \"127.0.0.1:53\" or \"[::1]:53\", "
                + "got \"127.0.0.1:0\"",
            "dns.servers[4]: must be an IP address with an optional port, like \"127.0.0.1:53\" or \"[::1]:53\", "
                + "got \"[::1\"",
            "dns.servers[5]: must be a string, got 5"),
        bad("unknown dns key", top("'dns':{'server':[]}"), "dns.server: unknown key"),
        bad("discovery out of range", upstream("'discovery':{'dns':'yes','refreshMs':0}"),
            "upstreams.users.discovery.dns: must be a boolean, got \"yes\"",
            "upstreams.users.discovery.refreshMs: must be >= 1, got 0"),


        // order
        bad("problems come in document order, routes first if written first",
            doc("'routes':[{'name':'r','match':{'pathPrefix':'/'},'upstream':'nope'}]",
                "'upstreams':{'users':{'endpoints':[],'retry':{'maxAttempts':0}}}"),
            "routes[0].upstream: unknown upstream \"nope\"",
            "upstreams.users.endpoints: must not be empty",
            "upstreams.users.retry.maxAttempts: must be >= 1, got 0"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badConfigs")
  void reportsExactlyTheseErrors(String story, String json, List<String> expected) {
    assertThat(errorsOf(json)).containsExactlyElementsOf(expected);
  }

  @Test
  void reportsEveryIndependentErrorInDocumentOrder() {
    String json = doc(
        "'server':{'port':70000,'prot':1}",
        "'deadline':{'header':'X Bad'}",
        "'upstreams':{'users':{'endpoints':['localhost:9001'],'balancer':'random','retry':{'maxAttempts':0}}}",
        "'routes':[" + ROUTE + ",{'name':'b','match':{'pathPrefix':'api'},'upstream':'user'},"
            + "{'name':'users','match':{'path':'/x'},'upstream':'users','timeoutMs':0}]",
        "'extra':true");

    assertThat(errorsOf(json)).containsExactly(
        "server.port: must be between 0 and 65535, got 70000",
        "server.prot: unknown key",
        "deadline.header: must be an HTTP header field name (token), got \"X Bad\"",
        "upstreams.users.endpoints[0]: must be an http(s) URL like \"http://host:port\", got \"localhost:9001\"",
        "upstreams.users.balancer: must be one of \"round-robin\", \"least-requests\", got \"random\"",
        "upstreams.users.retry.maxAttempts: must be >= 1, got 0",
        "routes[1].match.pathPrefix: must start with \"/\", got \"api\"",
        "routes[1].upstream: unknown upstream \"user\"",
        "routes[2].name: duplicate route name \"users\"",
        "routes[2].timeoutMs: must be >= 1, got 0",
        "extra: unknown key");
  }

  // ---- valid configurations ----

  /** The README configuration example, plus the upstream "orders" that its profile route uses but it omits. */
  static final String REFERENCE_EXAMPLE = """
      {
        "server":   { "host": "0.0.0.0", "port": 8080, "instances": 0,
                      "maxHeaderBytes": 8192, "maxBodyBytes": 10485760, "idleTimeoutMs": 60000 },
        "admin":    { "host": "127.0.0.1", "port": 9901 },
        "shutdown": { "drainMs": 5000, "graceMs": 25000 },
        "deadline": { "header": "X-Request-Timeout-Ms", "defaultMs": 15000, "maxMs": 60000 },
        "accessLog": { "enabled": true },
        "upstreams": {
          "users": {
            "endpoints": ["http://127.0.0.1:9001", "http://127.0.0.1:9002"],
            "balancer": "round-robin",
            "connectTimeoutMs": 1000,
            "circuitBreaker": { "maxFailures": 5, "rollingWindowMs": 10000, "resetTimeoutMs": 5000,
                                "failureStatuses": [500, 502, 503, 504] },
            "retry": { "maxAttempts": 3, "baseDelayMs": 25, "maxDelayMs": 250, "jitter": "full",
                       "perTryTimeoutMs": 0,
                       "retryOn": ["connect-failure", "reset", "per-try-timeout", "502", "503", "504"],
                       "methods": ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"],
                       "budgetRatio": 0.2, "budgetMinPerSecond": 10 },
            "healthCheck": { "path": "/health", "intervalMs": 5000, "timeoutMs": 1000,
                             "unhealthyThreshold": 2, "healthyThreshold": 1 }
          },
          "orders": { "endpoints": ["https://orders.internal"], "balancer": "least-requests" }
        },
        "routes": [
          { "name": "users", "match": { "pathPrefix": "/api/users", "methods": ["GET", "POST"] },
            "upstream": "users", "stripPrefix": "/api", "timeoutMs": 3000 },
          { "name": "profile", "match": { "path": "/api/profile/:id" }, "timeoutMs": 2000,
            "aggregate": [
              { "upstream": "users",  "path": "/users/:id",        "as": "user" },
              { "upstream": "orders", "path": "/orders/by-user/:id", "as": "orders", "required": false } ] }
        ]
      }
      """;

  static final String MINIMAL = "{\"upstreams\":{\"a\":{\"endpoints\":[\"http://127.0.0.1:1\"]}},"
      + "\"routes\":[{\"name\":\"r\",\"match\":{\"pathPrefix\":\"/\"},\"upstream\":\"a\"}]}";

  /** Every option given, none at its default, with route overrides. */
  static final String EVERYTHING_CHANGED = doc(
      "'server':{'host':'127.0.0.2','port':0,'instances':4,'maxHeaderBytes':16384,'maxBodyBytes':10000000000,"
          + "'idleTimeoutMs':0}",
      "'admin':{'host':'0.0.0.0','port':0}",
      "'shutdown':{'drainMs':0,'graceMs':1}",
      "'deadline':{'header':'x-deadline','defaultMs':1000,'maxMs':1000}",
      "'accessLog':{'enabled':false}",
      "'upstreams':{'users.v2':{'endpoints':['https://[::1]:8443','http://Example.COM'],'balancer':'least-requests',"
          + "'connectTimeoutMs':1.0,"
          + "'circuitBreaker':{'maxFailures':1,'rollingWindowMs':1000,'resetTimeoutMs':1,'failureStatuses':[]},"
          + "'retry':{'maxAttempts':10,'baseDelayMs':1,'maxDelayMs':1,'jitter':'decorrelated','perTryTimeoutMs':999,"
          + "'retryOn':['429'],'methods':['post','PATCH'],'budgetRatio':1,'budgetMinPerSecond':0.5},"
          + "'healthCheck':{}}}",
      "'routes':[{'name':'r','match':{'path':'/','methods':['get']},'upstream':'users.v2','stripPrefix':'/',"
          + "'timeoutMs':1000,'retry':{'jitter':'none','retryOn':[],'budgetRatio':0.25},"
          + "'circuitBreaker':{'failureStatuses':[503,500]}}]");

  @Test
  void timeoutsAboveDeadlineMaxMsAreCappedThereNotRefused() throws ConfigException {
    GatewayConfig config = ConfigFiles.parse(doc("'deadline':{'maxMs':10000}", TWO_UPSTREAMS,
        "'routes':[" + route("'timeoutMs':70000") + ",{'name':'other','match':{'pathPrefix':'/o'},'upstream':'users'},"
            + "{'name':'short','match':{'pathPrefix':'/s'},'upstream':'users','timeoutMs':500}]"));

    assertThat(config.deadline().defaultMs()).as("as given (the default)").isEqualTo(15_000L);
    assertThat(config.routes()).extracting(config::timeoutFor).as("each route's budget before the client's")
        .containsExactly(10_000L, 10_000L, 500L);
  }

  @Test
  void aPerTryTimeoutIsCheckedAgainstTheCappedRouteTimeout() {
    assertThat(errorsOf(doc("'deadline':{'maxMs':10000}", TWO_UPSTREAMS,
        "'routes':[" + route("'timeoutMs':70000,'retry':{'perTryTimeoutMs':20000}") + "]")))
        .containsExactly("routes[0].retry.perTryTimeoutMs: must be below the route timeout 10000, got 20000");
  }

  @Test
  void parsesTheContractExample() throws ConfigException {
    GatewayConfig config = ConfigFiles.parse(REFERENCE_EXAMPLE);

    UpstreamConfig users = new UpstreamConfig("users",
        List.of(new Endpoint("http", "127.0.0.1", 9001), new Endpoint("http", "127.0.0.1", 9002)),
        BalancerKind.ROUND_ROBIN, 1000,
        new BreakerConfig(5, 10_000, 5_000, Set.of(500, 502, 503, 504)),
        new RetryConfig(3, 25, 250, JitterMode.FULL, 0,
            Set.of("connect-failure", "reset", "per-try-timeout", "502", "503", "504"),
            Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE"), 0.2, 10),
        Optional.of(new HealthCheckConfig("/health", 5000, 1000, 2, 1)));
    UpstreamConfig orders = new UpstreamConfig("orders", List.of(new Endpoint("https", "orders.internal", 443)),
        BalancerKind.LEAST_REQUESTS, 1000, BreakerConfig.defaults(), RetryConfig.defaults(), Optional.empty());
    RouteConfig usersRoute = new RouteConfig("users",
        new MatchConfig(Optional.empty(), Optional.of("/api/users"), Set.of("GET", "POST")),
        Optional.of("users"), List.of(), Optional.of("/api"), OptionalLong.of(3000),
        RetryOverride.NONE, BreakerOverride.NONE);
    RouteConfig profileRoute = new RouteConfig("profile",
        new MatchConfig(Optional.of("/api/profile/:id"), Optional.empty(), Set.of()),
        Optional.empty(),
        List.of(new AggregateBackendConfig("users", "/users/:id", "user", true),
            new AggregateBackendConfig("orders", "/orders/by-user/:id", "orders", false)),
        Optional.empty(), OptionalLong.of(2000), RetryOverride.NONE, BreakerOverride.NONE);

    assertThat(config).isEqualTo(new GatewayConfig(
        new ServerConfig("0.0.0.0", 8080, 0, 8192, 10_485_760, 60_000),
        new AdminConfig("127.0.0.1", 9901),
        new ShutdownConfig(5000, 25_000),
        new DeadlineConfig("X-Request-Timeout-Ms", 15_000, 60_000),
        new AccessLogConfig(true),
        Map.of("users", users, "orders", orders),
        List.of(usersRoute, profileRoute)));
    assertThat(config.upstreams().keySet()).containsExactly("users", "orders");
    assertThat(config.routes().get(0).isAggregate()).isFalse();
    assertThat(config.routes().get(1).isAggregate()).isTrue();
    assertThat(config.timeoutFor(usersRoute)).isEqualTo(3000);
  }

  @Test
  void theContractExampleAsPrintedNamesAnUndeclaredUpstream() {
    String asPrinted = REFERENCE_EXAMPLE.replace(
        ",\n    \"orders\": { \"endpoints\": [\"https://orders.internal\"], \"balancer\": \"least-requests\" }", "");
    assertThat(asPrinted).doesNotContain("orders.internal");
    assertThat(errorsOf(asPrinted)).containsExactly("routes[1].aggregate[1].upstream: unknown upstream \"orders\"");
  }

  @Test
  void minimalConfigGetsEveryDefault() throws ConfigException {
    GatewayConfig config = ConfigFiles.parse(MINIMAL);

    RouteConfig route = new RouteConfig("r", new MatchConfig(Optional.empty(), Optional.of("/"), Set.of()),
        Optional.of("a"), List.of(), Optional.empty(), OptionalLong.empty(), RetryOverride.NONE, BreakerOverride.NONE);
    assertThat(config).isEqualTo(new GatewayConfig(
        new ServerConfig("0.0.0.0", 8080, 0, 8192, 10_485_760, 60_000),
        new AdminConfig("127.0.0.1", 9901),
        new ShutdownConfig(5000, 25_000),
        new DeadlineConfig("X-Request-Timeout-Ms", 15_000, 60_000),
        new AccessLogConfig(true),
        Map.of("a", new UpstreamConfig("a", List.of(new Endpoint("http", "127.0.0.1", 1)), BalancerKind.ROUND_ROBIN,
            1000, new BreakerConfig(5, 10_000, 5_000, Set.of(500, 502, 503, 504)),
            new RetryConfig(3, 25, 250, JitterMode.FULL, 0,
                Set.of("connect-failure", "reset", "per-try-timeout", "502", "503", "504"),
                Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE"), 0.2, 10),
            Optional.empty())),
        List.of(route)));
    assertThat(config.server()).isEqualTo(ServerConfig.defaults());
    assertThat(config.admin()).isEqualTo(AdminConfig.defaults());
    assertThat(config.shutdown()).isEqualTo(ShutdownConfig.defaults());
    assertThat(config.deadline()).isEqualTo(DeadlineConfig.defaults());
    assertThat(config.accessLog()).isEqualTo(AccessLogConfig.defaults());
    assertThat(config.timeoutFor(route)).isEqualTo(15_000);
  }

  @Test
  void readsEveryOptionChangedFromItsDefault() throws ConfigException {
    GatewayConfig config = ConfigFiles.parse(EVERYTHING_CHANGED);

    assertThat(config.server()).isEqualTo(new ServerConfig("127.0.0.2", 0, 4, 16384, 10_000_000_000L, 0));
    assertThat(config.admin()).isEqualTo(new AdminConfig("0.0.0.0", 0));
    assertThat(config.shutdown()).isEqualTo(new ShutdownConfig(0, 1));
    assertThat(config.deadline()).isEqualTo(new DeadlineConfig("x-deadline", 1000, 1000));
    assertThat(config.accessLog().enabled()).isFalse();
    UpstreamConfig upstream = config.upstreams().get("users.v2");
    assertThat(upstream.endpoints()).containsExactly(
        new Endpoint("https", "::1", 8443), new Endpoint("http", "Example.COM", 80));
    assertThat(upstream.connectTimeoutMs()).as("1.0 is an integral number").isEqualTo(1);
    assertThat(upstream.circuitBreaker()).isEqualTo(new BreakerConfig(1, 1000, 1, Set.of()));
    assertThat(upstream.retry()).isEqualTo(new RetryConfig(10, 1, 1, JitterMode.DECORRELATED, 999, Set.of("429"),
        Set.of("POST", "PATCH"), 1.0, 0.5));
    assertThat(upstream.healthCheck()).contains(HealthCheckConfig.defaults());
    RouteConfig route = config.routes().get(0);
    assertThat(route.match()).isEqualTo(new MatchConfig(Optional.of("/"), Optional.empty(), Set.of("GET")));
    assertThat(route.stripPrefix()).contains("/");
    assertThat(route.retry()).isEqualTo(
        new RetryOverride(null, null, null, JitterMode.NONE, null, Set.of(), null, 0.25, null));
    assertThat(route.circuitBreaker()).isEqualTo(new BreakerOverride(null, null, null, Set.of(503, 500)));
    assertThat(route.circuitBreaker().failureStatuses()).containsExactly(503, 500);
  }

  @ParameterizedTest
  @ValueSource(strings = {"REFERENCE_EXAMPLE", "MINIMAL", "EVERYTHING_CHANGED"})
  void toJsonReadsBackToTheSameConfig(String which) throws Exception {
    String json = (String) ConfigLoaderTest.class.getDeclaredField(which).get(null);
    GatewayConfig first = ConfigFiles.parse(json);

    JsonObject written = ConfigLoader.toJson(first);

    assertThat(ConfigFiles.parse(written.encode())).isEqualTo(first);
    assertThat(ConfigFiles.parse(written.encodePrettily())).isEqualTo(first);
  }

  @Test
  void toJsonFillsInEveryDefaultAndKeepsOverridesAsGiven() throws ConfigException {
    JsonObject json = ConfigLoader.toJson(ConfigFiles.parse(MINIMAL));

    assertThat(json.fieldNames()).containsExactly(
        "server", "admin", "shutdown", "deadline", "accessLog", "upstreams", "routes", "tracing", "reload", "dns");
    assertThat(json.getJsonObject("server").getMap()).containsExactly(
        Map.entry("host", "0.0.0.0"), Map.entry("port", 8080), Map.entry("instances", 0),
        Map.entry("maxHeaderBytes", 8192), Map.entry("maxBodyBytes", 10_485_760L),
        Map.entry("idleTimeoutMs", 60_000L), Map.entry("http2", true), Map.entry("h2c", false),
        Map.entry("maxConcurrentStreams", 100), Map.entry("proxyProtocol", false),
        Map.entry("trustedProxies", new JsonArray()), Map.entry("maxHops", 10));
    assertThat(json.getJsonObject("dns").getMap()).containsExactly(Map.entry("servers", new JsonArray()));
    assertThat(json.getJsonObject("tracing").getMap()).containsExactly(
        Map.entry("enabled", true), Map.entry("exporter", "none"),
        Map.entry("otlpEndpoint", "http://localhost:4318/v1/traces"), Map.entry("serviceName", "portcullis"),
        Map.entry("sampleRatio", 1L));
    assertThat(json.getJsonObject("reload").getMap()).containsExactly(
        Map.entry("watch", true), Map.entry("pollMs", 1000L));
    JsonObject upstream = json.getJsonObject("upstreams").getJsonObject("a");
    assertThat(upstream.fieldNames()).containsExactly(
        "endpoints", "balancer", "connectTimeoutMs", "circuitBreaker", "retry", "tls", "concurrency", "pool",
        "discovery");
    assertThat(upstream.getJsonObject("concurrency").getMap()).containsExactly(
        Map.entry("mode", "off"), Map.entry("initial", 20), Map.entry("min", 2), Map.entry("max", 1000));
    assertThat(upstream.getJsonObject("pool").getMap())
        .as("maxPending absent: unbounded").containsExactly(Map.entry("maxConnections", 512));
    assertThat(upstream.getJsonObject("discovery").getMap()).containsExactly(
        Map.entry("dns", false), Map.entry("refreshMs", 5000L));
    assertThat(upstream.getJsonObject("tls").getMap()).containsExactly(Map.entry("verifyHostname", true));
    assertThat(upstream.getJsonArray("endpoints").getList()).containsExactly("http://127.0.0.1:1");
    assertThat(upstream.getJsonObject("retry").fieldNames()).containsExactly("maxAttempts", "baseDelayMs",
        "maxDelayMs", "jitter", "perTryTimeoutMs", "retryOn", "methods", "budgetRatio", "budgetMinPerSecond");
    assertThat(upstream.getJsonObject("retry").getValue("budgetMinPerSecond")).isEqualTo(10L);
    assertThat(json.getJsonArray("routes").getJsonObject(0).fieldNames())
        .containsExactly("name", "match", "upstream", "websocket");

    JsonObject route = ConfigLoader.toJson(ConfigFiles.parse(EVERYTHING_CHANGED))
        .getJsonArray("routes").getJsonObject(0);
    assertThat(route.getJsonObject("retry").fieldNames()).containsExactly("jitter", "retryOn", "budgetRatio");
    assertThat(route.getJsonObject("circuitBreaker").fieldNames()).containsExactly("failureStatuses");
  }

  @Test
  void randomValidConfigsSurviveToJsonAndBack() throws ConfigException {
    RandomConfigs random = new RandomConfigs(20_240_601L);
    for (int i = 0; i < 300; i++) {
      GatewayConfig config = random.next();
      String written = ConfigLoader.toJson(config).encode();
      assertThat(ConfigFiles.parse(written)).as(written).isEqualTo(config);
    }
  }

  // ---- malformed JSON ----

  static Stream<Arguments> malformedJson() {
    return Stream.of(
        arguments("", "expected a value, got end of input at line 1, column 1"),
        arguments("   \n  ", "expected a value, got end of input at line 2, column 3"),
        arguments("{\"a\":}", "Unexpected character ('}'): expected a value at line 1, column 6"),
        arguments("{\n  \"a\": 1,\n}",
            "Unexpected character ('}'): was expecting double-quote to start field name at line 3, column 1"),
        arguments("{\"a\": 1", "Unexpected end-of-input: expected close marker for Object (opened at line 1, column 1)"
            + " at line 1, column 8"),
        arguments("[1 2]", "Unexpected character ('2'): was expecting comma to separate Array entries at line 1, column 4"),
        arguments("{} {}", "unexpected '{' after the end of the document at line 1, column 4"),
        arguments("{'a': 1}", "Unexpected character ('''): was expecting double-quote to start field name at line 1, column 2"),
        arguments("{\"a\": nul}", "Unrecognized token 'nul': was expecting (JSON String, Number, Array, Object or token "
            + "'null', 'true' or 'false') at line 1, column 10"),
        arguments("{\"a\": 01}", "Invalid numeric value: Leading zeroes not allowed at line 1, column 8"),
        arguments("{\"a\": \"x\ny\"}", "Illegal unquoted character ((CTRL-CHAR, code 10)): has to be escaped using "
            + "backslash to be included in string value at line 1, column 9"),
        arguments("{\"a\": \"\\x\"}", "Unrecognized character escape 'x' at line 1, column 9"),
        arguments("// comment\n{}", "Unexpected character ('/'): maybe a (non-standard) comment? (JSON has no comments) "
            + "at line 1, column 1"),
        arguments("{\"a\": \"open", "Unexpected end-of-input: was expecting closing quote for a string value at line 1, "
            + "column 12"),
        arguments("{\"a\": 1e99999}", "number '1e99999' out of range (exponent beyond ±9999) at line 1, column 7"));
  }

  @ParameterizedTest
  @MethodSource("malformedJson")
  void malformedJsonIsOneErrorWithLineAndColumn(String text, String reason) {
    assertThat(errorsOf(text)).containsExactly("$: invalid JSON: " + reason);
  }

  @Test
  void deepNestingIsAnErrorNotAStackOverflow() {
    String deep = "[".repeat(100_000);
    assertThat(errorsOf(deep)).singleElement().asString().startsWith("$: invalid JSON: nesting deeper than");
  }

  @Test
  void aByteOrderMarkIsIgnored() throws ConfigException {
    assertThat(ConfigFiles.parse("\uFEFF" + MINIMAL)).isEqualTo(ConfigFiles.parse(MINIMAL));
  }

  // ---- files ----

  @Test
  void loadsAFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("gateway.json");
    Files.writeString(file, REFERENCE_EXAMPLE);
    assertThat(ConfigFiles.load(file)).isEqualTo(ConfigFiles.parse(REFERENCE_EXAMPLE));
  }

  @Test
  void aMissingFileIsAnIoException(@TempDir Path dir) {
    assertThatThrownBy(() -> ConfigFiles.load(dir.resolve("absent.json"))).isInstanceOf(IOException.class);
  }

  @Test
  void aFileThatIsNotUtf8IsAConfigError(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("latin1.json");
    Files.write(file, "{\"upstreams\":{\"caf\u00e9\":{}}}".getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> ConfigFiles.load(file))
        .isInstanceOfSatisfying(ConfigException.class,
            e -> assertThat(e.errors()).containsExactly("$: invalid JSON: not valid UTF-8 text"));
  }

  // ---- the records ----

  @Nested
  class Overrides {

    private final RetryConfig base = RetryConfig.defaults();

    @Test
    void noRetryOverrideKeepsTheBase() {
      assertThat(RetryOverride.NONE.applyTo(base)).isEqualTo(base);
    }

    @Test
    void aRetryOverrideReplacesOnlyWhatItGives() {
      RetryOverride override =
          new RetryOverride(5, null, 1000L, JitterMode.EQUAL, 200L, Set.of("503"), null, null, 1.5);

      assertThat(override.applyTo(base)).isEqualTo(new RetryConfig(5, 25, 1000, JitterMode.EQUAL, 200, Set.of("503"),
          Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE"), 0.2, 1.5));
    }

    @Test
    void aFullRetryOverrideReplacesEverything() {
      RetryConfig other = new RetryConfig(1, 2, 3, JitterMode.NONE, 4, Set.of(), Set.of("POST"), 0.5, 6);
      RetryOverride override = new RetryOverride(other.maxAttempts(), other.baseDelayMs(), other.maxDelayMs(),
          other.jitter(), other.perTryTimeoutMs(), other.retryOn(), other.methods(), other.budgetRatio(),
          other.budgetMinPerSecond());

      assertThat(override.applyTo(base)).isEqualTo(other);
    }

    @Test
    void breakerOverridesReplaceOnlyWhatTheyGive() {
      BreakerConfig breaker = BreakerConfig.defaults();

      assertThat(BreakerOverride.NONE.applyTo(breaker)).isEqualTo(breaker);
      assertThat(new BreakerOverride(2, null, 30_000L, null).applyTo(breaker))
          .isEqualTo(new BreakerConfig(2, 10_000, 30_000, Set.of(500, 502, 503, 504)));
      assertThat(new BreakerOverride(1, 2000L, 3L, Set.of(429)).applyTo(breaker))
          .isEqualTo(new BreakerConfig(1, 2000, 3, Set.of(429)));
    }

    @Test
    void aRouteOverrideIsAppliedToTheUpstreamPolicyAsAnOperatorWouldSeeIt() throws ConfigException {
      GatewayConfig config = ConfigFiles.parse(doc(
          "'upstreams':{'users':{'endpoints':['http://127.0.0.1:9001'],'retry':{'maxAttempts':4,'perTryTimeoutMs':100},"
              + "'circuitBreaker':{'maxFailures':9}}}",
          "'routes':[" + route("'retry':{'maxAttempts':2},'circuitBreaker':{'resetTimeoutMs':7000}") + "]"));
      RouteConfig route = config.routes().get(0);
      UpstreamConfig users = config.upstreams().get("users");

      RetryConfig retry = route.retry().applyTo(users.retry());
      BreakerConfig breaker = route.circuitBreaker().applyTo(users.circuitBreaker());

      assertThat(retry.maxAttempts()).isEqualTo(2);
      assertThat(retry.perTryTimeoutMs()).isEqualTo(100);
      assertThat(breaker.maxFailures()).isEqualTo(9);
      assertThat(breaker.resetTimeoutMs()).isEqualTo(7000);
    }
  }

  @Test
  void collectionsAreUnmodifiable() throws ConfigException {
    GatewayConfig config = ConfigFiles.parse(REFERENCE_EXAMPLE);
    UpstreamConfig users = config.upstreams().get("users");

    assertThatThrownBy(() -> config.routes().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> config.upstreams().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> users.endpoints().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> users.retry().methods().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> users.circuitBreaker().failureStatuses().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> config.routes().get(1).aggregate().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void recordsCopyTheCollectionsTheyAreGiven() {
    Set<String> methods = new LinkedHashSet<>(List.of("GET"));
    MatchConfig match = new MatchConfig(Optional.empty(), Optional.of("/"), methods);
    methods.add("POST");
    assertThat(match.methods()).containsExactly("GET");
  }

  @Test
  void methodsAreUpperCasedAndKeptInOrder() throws ConfigException {
    GatewayConfig config = ConfigFiles.parse(doc(
        "'upstreams':{'users':{'endpoints':['http://127.0.0.1:9001'],'retry':{'methods':['patch','get','GET']}}}",
        "'routes':[{'name':'r','match':{'pathPrefix':'/','methods':['post','Get']},'upstream':'users'}]"));

    assertThat(config.upstreams().get("users").retry().methods()).containsExactly("PATCH", "GET");
    assertThat(config.routes().get(0).match().methods()).containsExactly("POST", "GET");
  }

  @Test
  void endpointsPrintAsUrlsAndAuthorities() throws ConfigException {
    GatewayConfig config = ConfigFiles.parse(doc(
        "'upstreams':{'u':{'endpoints':['http://127.0.0.1:9001','https://api.example.com','HTTP://h/',"
            + "'http://[::1]:8080','http://user_service:8080','http://user_service']}}",
        "'routes':[{'name':'r','match':{'pathPrefix':'/'},'upstream':'u'}]"));

    assertThat(config.upstreams().get("u").endpoints())
        .extracting(Endpoint::toString, Endpoint::authority)
        .containsExactly(
            tuple("http://127.0.0.1:9001", "127.0.0.1:9001"),
            tuple("https://api.example.com:443", "api.example.com:443"),
            tuple("http://h:80", "h:80"),
            tuple("http://[::1]:8080", "[::1]:8080"),
            tuple("http://user_service:8080", "user_service:8080"),
            tuple("http://user_service:80", "user_service:80"));
  }

  @Test
  void aPerTryTimeoutOfZeroIsOffAndNeverComparedWithTheRouteTimeout() throws ConfigException {
    GatewayConfig config = ConfigFiles.parse(routes(route("'timeoutMs':1,'retry':{'perTryTimeoutMs':0}")));
    assertThat(config.routes().get(0).retry().perTryTimeoutMs()).isZero();
  }

  @Test
  void backendPathsReuseRouteParametersAndMayCarryAQuery() throws ConfigException {
    GatewayConfig config = ConfigFiles.parse(routes(aggregateRoute("'match':{'path':'/u/:user_id/o/:oid'}",
        "{'upstream':'users','path':'/users/:user_id','as':'user'},"
            + "{'upstream':'orders','path':'/orders/:oid?user=:user_id','as':'order','required':false}")));
    assertThat(config.routes().get(0).aggregate()).extracting(AggregateBackendConfig::path)
        .containsExactly("/users/:user_id", "/orders/:oid?user=:user_id");
  }
}
