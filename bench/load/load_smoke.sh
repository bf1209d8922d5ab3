#!/usr/bin/env bash
# load_smoke: starts baseline_echo on a free loopback port, runs a 2 s troupe_load echo against
# it and passes only if round trips completed. The server is stopped on every exit path.
# usage: load_smoke.sh BASELINE_ECHO TROUPE_LOAD
set -euo pipefail
baseline_echo=$1
troupe_load=$2
work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# --port 0: the kernel picks a free port; the server prints "listening on HOST:PORT".
"$baseline_echo" --host 127.0.0.1 --port 0 --threads 1 >"$work/server.out" 2>&1 &
server_pid=$!
port=
for _ in $(seq 100); do
  port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/server.out")
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { echo "baseline_echo exited:"; cat "$work/server.out"; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "baseline_echo did not report its port"; cat "$work/server.out"; exit 1; }

timeout 30 "$troupe_load" --scenario echo --target baseline --port "$port" \
  --duration 2 --warmup 0.2 --conns 4 --inflight 2 | tee "$work/load.out"
json=$(tail -n 1 "$work/load.out")
count=$(printf '%s' "$json" | sed -n 's/.*"count":\([0-9]*\).*/\1/p')
echo "round trips measured: ${count:-none}"
[ -n "$count" ] && [ "$count" -gt 0 ]
