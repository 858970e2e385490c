#!/usr/bin/env bash
# Finds a Redis server for the tests (persisted queries shared by router replicas),
# or starts one, and prints its URL on stdout.
#
# 1. SHOPGRAPH_TEST_REDIS_URL (default redis://127.0.0.1:6379/0) when a server
#    answers there;
# 2. else a private, memory-only server on SHOPGRAPH_REDIS_PORT (default 63799)
#    started from the installed redis-server, its files under .data/redis;
# 3. else (as root on Debian) it installs redis-server, then does 2;
# 4. else it says what to install and fails.
# Messages go to stderr: SHOPGRAPH_TEST_REDIS_URL=$(scripts/ensure-redis.sh)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
url=${SHOPGRAPH_TEST_REDIS_URL:-redis://127.0.0.1:6379/0}
say() { echo "ensure-redis: $*" >&2; }

# PING over bash's /dev/tcp: redis-cli may not be installed.
answers() {
	local reply
	{ exec 3<>"/dev/tcp/$1/$2"; } 2>/dev/null || return 1
	printf 'PING\r\n' >&3
	read -r -t 3 reply <&3 || true
	exec 3<&- 3>&-
	[[ "$reply" == +PONG* ]]
}

hostport=${url#*://}; hostport=${hostport#*@}; hostport=${hostport%%/*}
host=${hostport%%:*}; port=${hostport##*:}; [ "$port" = "$hostport" ] && port=6379
if answers "$host" "$port"; then echo "$url"; exit 0; fi

pport=${SHOPGRAPH_REDIS_PORT:-63799}
purl="redis://127.0.0.1:$pport/0"
if answers 127.0.0.1 "$pport"; then echo "$purl"; exit 0; fi

if ! command -v redis-server >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		say "installing redis-server"
		apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server >&2
	else
		say "no Redis answers at $url and redis-server is not installed."
		say "install Redis (Debian/Ubuntu: apt-get install redis-server) or set SHOPGRAPH_TEST_REDIS_URL."
		exit 1
	fi
fi
mkdir -p "$root/.data/redis"
say "starting a private Redis on port $pport (memory only)"
redis-server --daemonize yes --bind 127.0.0.1 --port "$pport" --save '' --appendonly no \
	--dir "$root/.data/redis" --logfile "$root/.data/redis/redis.log" >&2
for _ in $(seq 1 30); do answers 127.0.0.1 "$pport" && { echo "$purl"; exit 0; }; sleep 0.2; done
say "Redis did not answer on port $pport; see .data/redis/redis.log"
exit 1
