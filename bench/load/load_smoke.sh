#!/usr/bin/env bash
# load_smoke: a short run of every troupe_load scenario against the real troupe binary, and of
# echo and broadcast against the raw-Beast baselines, each on a free loopback port. Passes only
# if every run exits 0 (no failed connection, error frame, unanswered request or lost closed-loop
# delivery) and measured something. Servers are stopped on every exit path.
# usage: load_smoke.sh TROUPE BASELINE_ECHO BASELINE_BROADCAST TROUPE_LOAD
set -euo pipefail
troupe=$1
baseline_echo=$2
baseline_broadcast=$3
troupe_load=$4
web_root=$(cd "$(dirname "$0")/../.." && pwd)/web
work=$(mktemp -d)
server_pid=
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
  fi
  server_pid=
}
trap 'stop_server; rm -rf "$work"' EXIT

port=
# start_baseline BINARY: --port 0 lets the kernel pick; the server prints "listening on HOST:PORT".
start_baseline() {
  "$1" --host 127.0.0.1 --port 0 --threads 1 >"$work/server.out" 2>&1 &
  server_pid=$!
  port=
  for _ in $(seq 100); do
    port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/server.out")
    [ -n "$port" ] && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "$1 did not report its port:"; cat "$work/server.out"; exit 1
}
# start_troupe: troupe takes a fixed port, so try random ones until it says it listens on one.
start_troupe() {
  for _ in $(seq 5); do
    port=$((20000 + RANDOM % 30000))
    "$troupe" --host 127.0.0.1 --port "$port" --threads 1 --log-level info --web-root "$web_root" \
      >"$work/server.out" 2>&1 &
    server_pid=$!
    for _ in $(seq 50); do
      # Its own "listening" line, not merely a port that accepts: another process may hold it.
      grep -q "listening on 127.0.0.1:$port " "$work/server.out" && return 0
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    stop_server
  done
  echo "troupe did not start:"; cat "$work/server.out"; exit 1
}
# run TARGET ARGS...: one short troupe_load run; fails the smoke test unless it passed.
run() {
  local target=$1
  shift
  echo "== $target: $*"
  timeout 60 "$troupe_load" --target "$target" --port "$port" --duration 1 --warmup 0.2 --drain 1 "$@" \
    | tee "$work/load.out"
  local json
  json=$(tail -n 1 "$work/load.out")
  grep -q '"ok":true' <<<"$json" || { echo "FAILED: $target $*"; exit 1; }
}

start_baseline "$baseline_echo"
run baseline --scenario echo --conns 4 --inflight 2
stop_server
start_baseline "$baseline_broadcast"
run baseline --scenario broadcast --rooms 2 --members 5 --publishers 2
stop_server

start_troupe
run troupe --scenario echo --conns 4 --inflight 2
run troupe --scenario counter --conns 4
run troupe --scenario counter --conns 4 --per-conn
run troupe --scenario broadcast --rooms 2 --members 5 --publishers 2
run troupe --scenario broadcast --rooms 1 --members 10 --publishers 1 --rate 2000
run troupe --scenario idle --conns 200 --members 20 --hold 1
run troupe --scenario churn --conns 4
stop_server
echo "load_smoke: every run passed"
