#!/usr/bin/env bash
# Builds the router, serves the gateways-benchmark supergraph with in-flight
# de-duplication off and then on, and runs ../shared/bench/gateways-benchmark/run.sh
# against each, printing its RESULT lines (requests/s, latency, fetches per request,
# router CPU and peak RSS).
#
# usage: bench/gateways.sh [CONNECTIONS=50] [DURATION=20s]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
wl=${GATEWAYS_BENCHMARK:-$root/../shared/bench/gateways-benchmark}
conns=${1:-50}
dur=${2:-20s}
[ -x "$wl/run.sh" ] || { echo "gateways-benchmark workload not found at $wl" >&2; exit 2; }
if ! command -v wrk >/dev/null; then
  echo "installing wrk" >&2
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq wrk >/dev/null; fi
fi
bin=${TMPDIR:-/tmp}/shopgraph-bench
(cd "$root" && go build -o "$bin" ./cmd/shopgraph)
port=${ROUTER_BENCH_PORT:-4399}
rpid=""
trap '[ -n "$rpid" ] && kill "$rpid" 2>/dev/null || true' EXIT
for dedupe in false true; do
  "$bin" serve router --listen "127.0.0.1:$port" --supergraph "$wl/schema/supergraph.graphql" \
    --dedupe="$dedupe" --log-level warn >/dev/null 2>&1 &
  rpid=$!
  for _ in $(seq 100); do curl -sf "127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
  echo -n "dedupe=$dedupe "
  "$wl/run.sh" "http://127.0.0.1:$port/graphql" "$rpid" "$conns" "$dur"
  kill "$rpid" 2>/dev/null || true
  wait "$rpid" 2>/dev/null || true
  rpid=""
done
