# bench/cluster-cases.sh - the load-balancer and cluster cases of bench/run.sh, sourced by it
# (its helpers: measure, run_wrk, start_jvm, stop_started, jit_warmup, log, die, ratio and its
# variables). Cases:
#   cluster       a route with rateLimit scope "cluster" (Redis on loopback) against the same route
#                 with scope "instance", c64, alternated PAIR_ROUNDS times (default 2, order reversed every other round); the limit never refuses, so this is
#                 the cost of asking Redis. Targets: >= 0.50x the req/s, <= 0.5 ms added p50.
#   proxyproto    the gateway behind HAProxy without and with the PROXY protocol (send-proxy-v2,
#                 server.proxyProtocol on), c64 through HAProxy, alternated PAIR_ROUNDS times: HAProxy in TCP
#                 mode (deploy/haproxy), in HTTP mode keeping its server connections, and in HTTP
#                 mode with a new server connection (and PROXY header) per request. Counts the
#                 TCP connections the gateways accepted (TcpPassiveOpens). Target: <= 3% cost.
#   clustershare  two gateways share one cluster limit of 100 req/s (burst 10) while an open-loop
#                 client (bench/RateLoad.java) sends 2,000 req/s of one key, alternating between
#                 them, for 30 s. Target: admitted within +-10% of 100 req/s.
# Ports: PORT_BASE+20 Redis, +21/+22 the extra gateways, +23/+24 their admin ports, +25..+28
# HAProxy frontends, +29 HAProxy stats, +30/+31 the TCP-mode frontends.
# shellcheck shell=bash disable=SC2034,SC2154

CLUSTER_REPORT=""
CLUSTER_CASES=cluster,proxyproto,clustershare

cluster_ports() {
  REDIS_PORT=$((PORT_BASE + 20))
  CG1_PORT=$((PORT_BASE + 21)) CG2_PORT=$((PORT_BASE + 22))
  CG1_ADMIN=$((PORT_BASE + 23)) CG2_ADMIN=$((PORT_BASE + 24))
  HAP_PLAIN=$((PORT_BASE + 25)) HAP_PP=$((PORT_BASE + 26))
  HAP_PLAIN_CLOSE=$((PORT_BASE + 27)) HAP_PP_CLOSE=$((PORT_BASE + 28)) HAP_STATS=$((PORT_BASE + 29))
  HAP_PLAIN_TCP=$((PORT_BASE + 30)) HAP_PP_TCP=$((PORT_BASE + 31))
}

# cluster_config FILE PORT ADMIN_PORT SERVER_EXTRA ROUTES_JSON: a gateway with a redis section
cluster_config() {
  local f=$1 port=$2 admin=$3 server=$4 routes=$5
  cat >"$f" <<JSON
{
  "server": { "host": "127.0.0.1", "port": $port, "instances": 0$server },
  "admin": { "host": "127.0.0.1", "port": $admin },
  "accessLog": { "enabled": false },
  "shutdown": { "drainMs": 0, "graceMs": 2000 },
  "redis": { "endpoint": "redis://127.0.0.1:$REDIS_PORT", "timeoutMs": 25 },
  "upstreams": { "backend": { "endpoints": ["http://127.0.0.1:$BACKEND_PORT"] } },
  "routes": [ $routes ]
}
JSON
  java -jar "$JAR" --config "$f" --check >"$f.check.log" 2>&1 \
    || { cat "$f.check.log" >&2; die "the generated gateway config $f is invalid"; }
}

start_redis() {
  need redis-server redis-server
  "${NI[@]}" "${LOADPIN[@]}" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
      --dir "$TMP" --logfile "$TMP/redis.log" --daemonize no >/dev/null 2>&1 &
  REDIS_PID=$!; STARTED+=("$REDIS_PID")
  local t0=$SECONDS
  until printf 'PING\r\n' | timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$REDIS_PORT; cat >&3; head -c 5 <&3" 2>/dev/null \
      | grep -q '^+PONG'; do
    [ -d "/proc/$REDIS_PID" ] && [ $((SECONDS - t0)) -lt 15 ] || die "redis-server did not start (see $TMP/redis.log)"
    sleep 0.1
  done
  log "redis-server pid $REDIS_PID on 127.0.0.1:$REDIS_PORT"
}

# A/B alternation of two measured variants over PAIR_ROUNDS rounds (env, default 2), the order
# reversed every other round so a drift of the machine's load falls on both alike; sums CPU ticks
# and requests, averages req/s and p50.
PAIR_ROUNDS=${PAIR_ROUNDS:-2}
# ab_pair NAME_A VIA_A URL_A NAME_B VIA_B URL_B -> AB_A_* and AB_B_* (rps mean, p50 mean, us/req)
ab_pair() {
  local i ka kb ta=0 ra=0 tb=0 rb=0 pa=0 pb=0 sa=0 sb=0 n=0
  for i in $(seq 1 "$PAIR_ROUNDS"); do
    ka="$1 c64 $2" kb="$4 c64 $5"
    if [ $((i % 2)) = 1 ]; then               # A first in odd rounds, B first in even ones
      measure "$1" "$2" "$3" 64 rps || return 1
      measure "$4" "$5" "$6" 64 rps || return 1
    else
      measure "$4" "$5" "$6" 64 rps || return 1
      measure "$1" "$2" "$3" 64 rps || return 1
    fi
    ta=$((ta + ${RES[$ka,ticks]})) ra=$((ra + ${RES[$ka,req]})) tb=$((tb + ${RES[$kb,ticks]})) rb=$((rb + ${RES[$kb,req]}))
    sa=$(awk -v s="$sa" -v x="${RES[$ka,rps]}" 'BEGIN{print s + x}') sb=$(awk -v s="$sb" -v x="${RES[$kb,rps]}" 'BEGIN{print s + x}')
    pa=$(awk -v s="$pa" -v x="${RES[$ka,p50]}" 'BEGIN{print s + x}') pb=$(awk -v s="$pb" -v x="${RES[$kb,p50]}" 'BEGIN{print s + x}')
    n=$((n + 1))
  done
  AB_A_RPS=$(awk -v s="$sa" -v n=$n 'BEGIN{printf "%.0f", s / n}') AB_B_RPS=$(awk -v s="$sb" -v n=$n 'BEGIN{printf "%.0f", s / n}')
  AB_A_P50=$(awk -v s="$pa" -v n=$n 'BEGIN{printf "%.2f", s / n}') AB_B_P50=$(awk -v s="$pb" -v n=$n 'BEGIN{printf "%.2f", s / n}')
  AB_A_US=$(awk -v t="$ta" -v r="$ra" -v hz="$CLK_TCK" 'BEGIN{printf (r > 0 ? "%.1f" : "-"), (r > 0 ? t / hz * 1e6 / r : 0)}')
  AB_B_US=$(awk -v t="$tb" -v r="$rb" -v hz="$CLK_TCK" 'BEGIN{printf (r > 0 ? "%.1f" : "-"), (r > 0 ? t / hz * 1e6 / r : 0)}')
}

cluster_case() {
  local limit='"requestsPerSecond": 1000000000, "burst": 1000000000, "key": "ip"'
  cluster_config "$TMP/gateway-cluster.json" "$CG1_PORT" "$CG1_ADMIN" "" \
    "{ \"name\": \"instance\", \"match\": { \"pathPrefix\": \"/instance\" }, \"upstream\": \"backend\", \"rateLimit\": { $limit, \"scope\": \"instance\" } },
     { \"name\": \"cluster\", \"match\": { \"pathPrefix\": \"/cluster\" }, \"upstream\": \"backend\", \"rateLimit\": { $limit, \"scope\": \"cluster\" } }"
  local url="http://127.0.0.1:$CG1_PORT"
  start_jvm "$TMP/gateway-cluster.log" "$url/instance" "${JOPTS[@]}" -jar "$JAR" --config "$TMP/gateway-cluster.json" \
    || { CLUSTER_REPORT+="cluster: the gateway did not start (see $TMP/gateway-cluster.log with --keep)."$'\n\n'; return; }
  VIA_PID[cluster-gw]=$J_PID VIA_LABEL[cluster-gw]="gateway, rate-limited route"
  jit_warmup cluster-gw "$url/cluster"
  ab_pair "rate limit: instance" cluster-gw "$url/instance" "rate limit: cluster (Redis)" cluster-gw "$url/cluster" || return
  local errors
  errors=$(curl -s -m 5 "http://127.0.0.1:$CG1_ADMIN/metrics" | awk '/^portcullis_rate_limit_store_errors_total/{print $2}')
  CLUSTER_REPORT+="### Cluster rate limit: scope \"cluster\" vs \"instance\" (c64, one gateway, Redis on loopback)"$'\n\n'
  CLUSTER_REPORT+="Two routes with a limit that never refuses (10^9/s, one key: the client address), one decided by the local bucket, one by Redis (EVALSHA per request, pipelined per event-loop turn, redis.timeoutMs 25); alternated $PAIR_ROUNDS times (order reversed every other round), means shown. Redis on the load CPU(s). Decisions that fell back to the local bucket during the runs: ${errors:-unknown}."$'\n\n'
  CLUSTER_REPORT+="| scope | req/s | p50 ms | gateway CPU µs/req |"$'\n'"|---|--:|--:|--:|"$'\n'
  CLUSTER_REPORT+="| instance | $AB_A_RPS | $AB_A_P50 | $AB_A_US |"$'\n'"| cluster | $AB_B_RPS | $AB_B_P50 | $AB_B_US |"$'\n\n'
  CLUSTER_REPORT+="**cluster ÷ instance: $(ratio "$AB_B_RPS" "$AB_A_RPS") req/s (target ≥ 0.50×), p50 $(awk -v a="$AB_B_P50" -v b="$AB_A_P50" 'BEGIN{printf "%+.2f", a - b}') ms (target ≤ +0.5 ms), CPU/req $(ratio "$AB_B_US" "$AB_A_US")**."$'\n\n'
  stop_started "${VIA_PID[cluster-gw]}"
}

proxyproto_case() {
  need haproxy haproxy
  # Two fresh gateways alike but for the PROXY protocol: on (N+21) and off (N+22).
  cluster_config "$TMP/gateway-pp.json" "$CG1_PORT" "$CG1_ADMIN" ', "proxyProtocol": true' \
    '{ "name": "proxy", "match": { "pathPrefix": "/" }, "upstream": "backend" }'
  cluster_config "$TMP/gateway-nopp.json" "$CG2_PORT" "$CG2_ADMIN" '' \
    '{ "name": "proxy", "match": { "pathPrefix": "/" }, "upstream": "backend" }'
  cat >"$TMP/haproxy.cfg" <<HAP
global
    maxconn 4096
    nbthread $NLOAD
defaults
    mode http
    option http-keep-alive
    timeout connect 2s
    timeout client 60s
    timeout server 60s
frontend plain
    bind 127.0.0.1:$HAP_PLAIN
    default_backend plain
frontend pp
    bind 127.0.0.1:$HAP_PP
    default_backend pp
frontend plain-close
    bind 127.0.0.1:$HAP_PLAIN_CLOSE
    default_backend plain-close
frontend pp-close
    bind 127.0.0.1:$HAP_PP_CLOSE
    default_backend pp-close
frontend plain-tcp
    mode tcp
    bind 127.0.0.1:$HAP_PLAIN_TCP
    default_backend plain-tcp
frontend pp-tcp
    mode tcp
    bind 127.0.0.1:$HAP_PP_TCP
    default_backend pp-tcp
backend plain-tcp
    mode tcp
    server gw 127.0.0.1:$CG2_PORT
backend pp-tcp
    mode tcp
    server gw 127.0.0.1:$CG1_PORT send-proxy-v2
backend plain
    http-reuse safe
    server gw 127.0.0.1:$CG2_PORT
backend pp
    http-reuse safe
    server gw 127.0.0.1:$CG1_PORT send-proxy-v2
backend plain-close
    option http-server-close
    http-reuse never
    server gw 127.0.0.1:$CG2_PORT
backend pp-close
    option http-server-close
    http-reuse never
    server gw 127.0.0.1:$CG1_PORT send-proxy-v2
listen stats
    bind 127.0.0.1:$HAP_STATS
    stats enable
    stats uri /stats
HAP
  haproxy -c -q -f "$TMP/haproxy.cfg" >/dev/null 2>&1 || { haproxy -c -f "$TMP/haproxy.cfg" >&2; die "invalid haproxy config"; }
  "${NI[@]}" "${LOADPIN[@]}" haproxy -db -f "$TMP/haproxy.cfg" >"$TMP/haproxy.log" 2>&1 &
  HAP_PID=$!; STARTED+=("$HAP_PID")
  start_jvm "$TMP/gateway-pp.log" "http://127.0.0.1:$HAP_PP/" "${JOPTS[@]}" -jar "$JAR" --config "$TMP/gateway-pp.json" \
    || { CLUSTER_REPORT+="proxyproto: the gateway did not start (see $TMP/gateway-pp.log with --keep)."$'\n\n'; return; }
  VIA_PID[gateway-pp]=$J_PID VIA_LABEL[gateway-pp]="gateway, PROXY protocol on (via HAProxy)"
  start_jvm "$TMP/gateway-nopp.log" "http://127.0.0.1:$HAP_PLAIN/" "${JOPTS[@]}" -jar "$JAR" --config "$TMP/gateway-nopp.json" \
    || { stop_started "${VIA_PID[gateway-pp]}"; CLUSTER_REPORT+="proxyproto: the gateway did not start."$'\n\n'; return; }
  VIA_PID[gateway-nopp]=$J_PID VIA_LABEL[gateway-nopp]="gateway, PROXY protocol off (via HAProxy)"
  # Twice the usual JIT warm-up: both JVMs are fresh, and a gateway still compiling skews CPU/req.
  # Both warm up through the TCP-mode frontends, the shipped set-up and the first row measured:
  # through HAProxy's HTTP mode the PROXY gateway would get a new connection (and PROXY header)
  # per request, so its JIT would be trained on connection set-up the other gateway never sees.
  local w
  for w in 1 2; do
    jit_warmup gateway-nopp "http://127.0.0.1:$HAP_PLAIN_TCP/"
    jit_warmup gateway-pp "http://127.0.0.1:$HAP_PP_TCP/"
  done
  local rows="" opens
  pp_pair() {                                  # pp_pair LABEL OFF_PORT ON_PORT: one table row
    local o0 o1
    o0=$(awk '/^Tcp:/ && ++n == 2 {print $7}' /proc/net/snmp)   # TcpPassiveOpens, machine-wide
    ab_pair "HAProxy $1, PROXY off" gateway-nopp "http://127.0.0.1:$2/" "HAProxy $1, PROXY on" gateway-pp "http://127.0.0.1:$3/" || return 1
    o1=$(awk '/^Tcp:/ && ++n == 2 {print $7}' /proc/net/snmp)
    rows+="| $1 | $AB_A_RPS | $AB_B_RPS | **$(ratio "$AB_B_RPS" "$AB_A_RPS")** | $AB_A_US / $AB_B_US | $AB_A_P50 / $AB_B_P50 | $((o1 - o0)) |"$'\n'
  }
  pp_pair "TCP mode (deploy/haproxy)" "$HAP_PLAIN_TCP" "$HAP_PP_TCP" || return
  pp_pair "HTTP mode, keep-alive to the gateways" "$HAP_PLAIN" "$HAP_PP" || return
  pp_pair "HTTP mode, a new server connection per request" "$HAP_PLAIN_CLOSE" "$HAP_PP_CLOSE" || return
  local rejected
  rejected=$(curl -s -m 5 "http://127.0.0.1:$CG1_ADMIN/metrics" | awk '/^portcullis_proxy_protocol_rejected_total/{print $2}')
  CLUSTER_REPORT+="### PROXY protocol off vs on, behind HAProxy $(haproxy -v | awk 'NR==1{print $3}') (c64 to HAProxy)"$'\n\n'
  CLUSTER_REPORT+="Two fresh gateways with the same flags, config and CPUs (each after $((2 * WARMUP)) s of JIT warm-up), one with server.proxyProtocol on behind \`send-proxy-v2\`; HAProxy ($NLOAD thread(s)) on the load CPU(s); alternated $PAIR_ROUNDS times (order reversed every other round), means shown. Connections refused for their PROXY header: ${rejected:-unknown}."$'\n\n'
  CLUSTER_REPORT+="| HAProxy → gateway | req/s off | req/s on | on ÷ off (target ≥ 0.97×) | gateway CPU µs/req off / on | p50 ms off / on | TCP connections accepted (all runs of the row, machine-wide) |"$'\n'"|---|--:|--:|--:|--:|--:|--:|"$'\n'"$rows"$'\n'
  stop_started "${VIA_PID[gateway-pp]}"
  stop_started "${VIA_PID[gateway-nopp]}"
  stop_started "$HAP_PID"
}

clustershare_case() {
  local limit='"requestsPerSecond": 100, "burst": 10, "key": "header:X-Key", "scope": "cluster"'
  local route="{ \"name\": \"shared\", \"match\": { \"pathPrefix\": \"/\" }, \"upstream\": \"backend\", \"rateLimit\": { $limit } }"
  cluster_config "$TMP/gateway-share1.json" "$CG1_PORT" "$CG1_ADMIN" "" "$route"
  cluster_config "$TMP/gateway-share2.json" "$CG2_PORT" "$CG2_ADMIN" "" "$route"
  start_jvm "$TMP/gateway-share1.log" "http://127.0.0.1:$CG1_PORT/" "${JOPTS[@]}" -jar "$JAR" --config "$TMP/gateway-share1.json" \
    || { CLUSTER_REPORT+="clustershare: a gateway did not start."$'\n\n'; return; }
  local p1=$J_PID
  start_jvm "$TMP/gateway-share2.log" "http://127.0.0.1:$CG2_PORT/" "${JOPTS[@]}" -jar "$JAR" --config "$TMP/gateway-share2.json" \
    || { stop_started "$p1"; CLUSTER_REPORT+="clustershare: a gateway did not start."$'\n\n'; return; }
  local p2=$J_PID seconds=30 rate=2000 line
  # Warm both up on another key (the limit refuses most; the JIT does not care).
  "${LOADPIN[@]}" java -cp "$JAR" bench/RateLoad.java 1000 "$WARMUP" warmup "http://127.0.0.1:$CG1_PORT/" \
      "http://127.0.0.1:$CG2_PORT/" >"$TMP/raw/clustershare-warmup.txt" 2>&1
  log "clustershare: $rate req/s of one key over two gateways for ${seconds}s"
  line=$("${NI[@]}" "${LOADPIN[@]}" java -cp "$JAR" bench/RateLoad.java "$rate" "$seconds" the-key \
      "http://127.0.0.1:$CG1_PORT/" "http://127.0.0.1:$CG2_PORT/" 2>&1 | tee "$TMP/raw/clustershare.txt" | grep '^RATELOAD')
  log "  $line"
  local sent=0 ok=0 limited=0 other=0 failed=0 took=- errors1 errors2
  [ -n "$line" ] && eval "$(echo "${line#RATELOAD }" | tr ' ' '\n')"
  errors1=$(curl -s -m 5 "http://127.0.0.1:$CG1_ADMIN/metrics" | awk '/^portcullis_rate_limit_store_errors_total/{print $2}')
  errors2=$(curl -s -m 5 "http://127.0.0.1:$CG2_ADMIN/metrics" | awk '/^portcullis_rate_limit_store_errors_total/{print $2}')
  CLUSTER_REPORT+="### Two gateways sharing one cluster limit (100 req/s, burst 10) under $rate req/s of one key"$'\n\n'
  CLUSTER_REPORT+="bench/RateLoad.java: open loop, $rate req/s for ${seconds}s (sent in $took s), every request with the same X-Key, alternating between the two gateways; Redis on loopback. Local fallbacks (store errors) gw1 / gw2: ${errors1:-?} / ${errors2:-?}."$'\n\n'
  CLUSTER_REPORT+="| sent | 200 | 429 | other | failed | admitted req/s | target |"$'\n'"|--:|--:|--:|--:|--:|--:|---|"$'\n'
  CLUSTER_REPORT+="| $sent | $ok | $limited | $other | $failed | **$(awk -v o="$ok" -v s="$seconds" 'BEGIN{printf "%.1f", o / s}')** | 100 ± 10 (burst 10 adds 0.3/s) |"$'\n\n'
  stop_started "$p1"
  stop_started "$p2"
}

# Runs the cases of this file that were asked for; their tables go to CLUSTER_REPORT.
cluster_cases_run() {
  local any=no c
  for c in ${CLUSTER_CASES//,/ }; do has_case "$c" && any=yes; done
  [ $any = yes ] || return 0
  cluster_ports
  local p
  for p in $REDIS_PORT $CG1_PORT $CG2_PORT $CG1_ADMIN $CG2_ADMIN $HAP_PLAIN $HAP_PP $HAP_PLAIN_CLOSE $HAP_PP_CLOSE \
      $HAP_STATS $HAP_PLAIN_TCP $HAP_PP_TCP; do
    port_open "$p" && die "port $p is in use (choose others with --port-base)"
  done
  if has_case cluster || has_case clustershare; then start_redis; fi
  has_case cluster && cluster_case
  has_case proxyproto && proxyproto_case
  has_case clustershare && clustershare_case
  [ -n "${REDIS_PID:-}" ] && stop_started "$REDIS_PID"
  return 0
}
