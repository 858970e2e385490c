#!/usr/bin/env bash
# Builds the router, serves the gateways-benchmark supergraph with in-flight
# de-duplication off and then on, and runs ../shared/bench/gateways-benchmark/run.sh
# against each, printing its RESULT lines (requests/s, latency, fetches per request,
# router CPU and peak RSS).
#
# usage: bench/gateways.sh [CONNECTIONS=50] [DURATION=20s]
#
# BASELINE=<git revision> also builds that revision (in a temporary worktree) and
# runs it and the working tree alternately, ROUNDS times (default 2), then prints
# the median requests/s of each and their ratio per de-duplication mode. The
# machine is shared, so only ratios measured in one session mean anything.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
wl=${GATEWAYS_BENCHMARK:-$root/../shared/bench/gateways-benchmark}
conns=${1:-50}
dur=${2:-20s}
rounds=${ROUNDS:-2}
[ -x "$wl/run.sh" ] || { echo "gateways-benchmark workload not found at $wl" >&2; exit 2; }
if ! command -v wrk >/dev/null; then
  echo "installing wrk" >&2
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq wrk >/dev/null; fi
fi
tmp=$(mktemp -d)
port=${ROUTER_BENCH_PORT:-4399}
rpid=""
wt=""
cleanup() {
  [ -n "$rpid" ] && kill "$rpid" 2>/dev/null || true
  [ -n "$wt" ] && git -C "$root" worktree remove --force "$wt" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
(cd "$root" && go build -o "$tmp/current" ./cmd/shopgraph)
bins=(current)
if [ -n "${BASELINE:-}" ]; then
  wt="$tmp/baseline-src"
  git -C "$root" worktree add -q --detach "$wt" "$BASELINE"
  (cd "$wt" && go build -o "$tmp/baseline" ./cmd/shopgraph)
  bins=(baseline current)
else
  rounds=1
fi

# serve BIN DEDUPE: runs the router and run.sh once, printing the RESULT line.
serve() {
  "$tmp/$1" serve router --listen "127.0.0.1:$port" --supergraph "$wl/schema/supergraph.graphql" \
    --dedupe="$2" --log-level warn >/dev/null 2>&1 &
  rpid=$!
  for _ in $(seq 100); do curl -sf "127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
  local line
  line=$("$wl/run.sh" "http://127.0.0.1:$port/graphql" "$rpid" "$conns" "$dur")
  kill "$rpid" 2>/dev/null || true
  wait "$rpid" 2>/dev/null || true
  rpid=""
  echo "$1 dedupe=$2 $line"
}

for dedupe in false true; do
  for _ in $(seq "$rounds"); do
    for b in "${bins[@]}"; do
      serve "$b" "$dedupe" | tee -a "$tmp/results"
    done
  done
done

if [ -n "${BASELINE:-}" ]; then
  echo "median requests/s over $rounds rounds, baseline $BASELINE:"
  for dedupe in false true; do
    med() {
      grep "^$1 dedupe=$dedupe " "$tmp/results" | sed 's/.*rps=\([0-9.]*\).*/\1/' | sort -n |
        awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'
    }
    b=$(med baseline) c=$(med current)
    awk -v d="$dedupe" -v b="$b" -v c="$c" 'BEGIN { printf "dedupe=%s baseline=%.1f current=%.1f ratio=%.2f\n", d, b, c, c/b }'
  done
fi
