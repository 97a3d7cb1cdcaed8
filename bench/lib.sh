# bench/lib.sh - what the bench scripts share. Sourced (`. "$ROOT/bench/lib.sh"`), never run.
#
#   bench_tmp NAME            TMP = a new directory "${TMPDIR:-/tmp}/portcullis-NAME.XXXXXX" (mode
#                             755: nginx workers may run as another user), STARTED = () (the PIDs
#                             to stop at exit), and the traps: on EXIT bench_cleanup, on INT/TERM
#                             exit 130. The caller defines log() and KEEP (yes: TMP is kept).
#   tree_pids PID             PID and its descendants, one per line.
#   stop_pid PID              SIGTERM to PID, up to 10 s for it and its descendants to go, SIGKILL
#                             to what is left, then reaps PID.
#   stop_all                  stop_pid every PID in STARTED; STARTED = ().
#   bench_cleanup             stop_all, then removes TMP unless KEEP=yes.
#   wait_http URL PID SECONDS true once URL answers 200; false after SECONDS or once PID is gone.
#   nginx_conf_head DIR WORKERS CONNECTIONS
#                             prints the start of an nginx.conf whose files live in DIR (pid file,
#                             error log, temporary paths under DIR/tmp, which must exist), with the
#                             access log off, up to and including the opening `http {`. The caller
#                             prints the rest of the http block (keep-alive, servers) and its `}`.
# shellcheck shell=bash

bench_tmp() {
  TMP=$(mktemp -d "${TMPDIR:-/tmp}/portcullis-$1.XXXXXX") || { echo "mktemp failed" >&2; exit 1; }
  chmod 755 "$TMP"
  STARTED=()
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

tree_pids() {
  local c
  [ -d "/proc/$1" ] || return 0
  echo "$1"
  for c in $(pgrep -P "$1" 2>/dev/null); do tree_pids "$c"; done
}

stop_pid() {
  local root=$1 pids p i alive
  pids=$(tree_pids "$root")
  [ -n "$pids" ] || { wait "$root" 2>/dev/null; return 0; }
  kill -TERM "$root" 2>/dev/null
  for i in $(seq 1 100); do
    alive=0
    for p in $pids; do
      [ -d "/proc/$p" ] && [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != Z ] && alive=1
    done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for p in $pids; do [ -d "/proc/$p" ] && kill -KILL "$p" 2>/dev/null; done
  wait "$root" 2>/dev/null
  return 0
}

stop_all() {
  local p
  for p in "${STARTED[@]}"; do stop_pid "$p"; done
  STARTED=()
}

bench_cleanup() {
  stop_all
  if [ "${KEEP:-no}" = yes ]; then log "kept $TMP"; else rm -rf "$TMP"; fi
}

wait_http() {
  local url=$1 pid=$2 max=$3 t0=$SECONDS
  while [ $((SECONDS - t0)) -lt "$max" ]; do
    [ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url")" = 200 ] && return 0
    [ -d "/proc/$pid" ] || return 1
    sleep 0.1
  done
  return 1
}

nginx_conf_head() {
  local dir=$1 workers=$2 conns=$3
  cat <<EOF
daemon off;
worker_processes $workers;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections $conns; }
http {
    access_log off;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
EOF
}

bench_gateway_config() {
  cat >"$1" <<JSON
{
  "server": { "host": "127.0.0.1", "port": $2, "instances": 0$5 },
  "admin": { "host": "127.0.0.1", "port": $3 },
  "accessLog": { "enabled": $4 },
  "shutdown": { "drainMs": 0, "graceMs": 2000 },
  "upstreams": {
    "backend": { "endpoints": ["http://127.0.0.1:$7"]$6 },
    "dead": { "endpoints": ["http://127.0.0.1:$8"],
              "circuitBreaker": { "maxFailures": 1, "resetTimeoutMs": 600000 } },
    "users": { "endpoints": ["http://127.0.0.1:$9"] },
    "orders": { "endpoints": ["http://127.0.0.1:${10}"] },
    "prefs": { "endpoints": ["http://127.0.0.1:${11}"] }
  },
  "routes": [
    { "name": "fast-fail", "match": { "pathPrefix": "/fail" }, "upstream": "dead" },
    { "name": "aggregate", "match": { "path": "/agg/:id" }, "aggregate": [
        { "upstream": "users", "path": "/users/:id", "as": "user" },
        { "upstream": "orders", "path": "/orders/:id", "as": "orders" },
        { "upstream": "prefs", "path": "/prefs/:id", "as": "prefs" } ] },
    { "name": "stream", "match": { "pathPrefix": "/files" }, "upstream": "backend", "timeoutMs": 60000 },
    { "name": "proxy", "match": { "pathPrefix": "/" }, "upstream": "backend" }
  ]
}
JSON
}
