#!/usr/bin/env bash
# Finds a PostgreSQL server for shopgraph, or starts one, and prints its URL on stdout.
#
# 1. DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)
#    when a server answers there;
# 2. else this machine's packaged cluster (Debian's pg_ctlcluster) when one is installed
#    but stopped, and it then answers at DATABASE_URL;
# 3. else a private cluster under .data/postgres, started with the installed server
#    binaries, on SHOPGRAPH_PG_PORT (default 54329);
# 4. else it says what to install and fails.
# Messages go to stderr, so callers can use: DATABASE_URL=$(scripts/ensure-postgres.sh)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
say() { echo "ensure-postgres: $*" >&2; }

answers() {
	if command -v pg_isready >/dev/null 2>&1; then
		pg_isready -q -t 3 -d "$1"
	else
		(exec 3<>"/dev/tcp/$2/$3") 2>/dev/null
	fi
}

# host and port of the URL, for the bash fallback when pg_isready is missing
hostport=${url#*://}; hostport=${hostport#*@}; hostport=${hostport%%/*}; hostport=${hostport%%\?*}
host=${hostport%%:*}; port=${hostport##*:}; [ "$port" = "$hostport" ] && port=5432

if answers "$url" "$host" "$port"; then
	echo "$url"; exit 0
fi

if [ "$(id -u)" = 0 ] && command -v pg_lsclusters >/dev/null 2>&1; then
	while read -r ver name cport status _; do
		[ "$cport" = "$port" ] && [ "$status" != online ] || continue
		say "starting the installed cluster $ver/$name on port $cport"
		pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start >&2 || true
		for _ in $(seq 1 30); do answers "$url" "$host" "$port" && { echo "$url"; exit 0; }; sleep 0.5; done
	done < <(pg_lsclusters -h 2>/dev/null || true)
fi

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] && command -v initdb >/dev/null 2>&1; then bindir=$(dirname "$(command -v initdb)"); fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
	say "no PostgreSQL answers at ${url%%\?*} and no server binaries are installed."
	say "install PostgreSQL (Debian/Ubuntu: apt-get install postgresql) or set DATABASE_URL to a reachable server."
	exit 1
fi

pport=${SHOPGRAPH_PG_PORT:-54329}
data="$root/.data/postgres"
purl="postgres://postgres@127.0.0.1:$pport/postgres?sslmode=disable"
if answers "$purl" 127.0.0.1 "$pport"; then echo "$purl"; exit 0; fi

# PostgreSQL refuses to run as root: run the private cluster as the postgres user.
as=()
if [ "$(id -u)" = 0 ]; then
	id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
	as=(runuser -u postgres --)
fi
mkdir -p "$data"
[ "$(id -u)" = 0 ] && chown -R postgres "$root/.data/postgres" && chmod 700 "$data"
if [ ! -f "$data/PG_VERSION" ]; then
	say "creating a private cluster in $data"
	"${as[@]}" "$bindir/initdb" -D "$data" -U postgres -A trust >&2
fi
say "starting the private cluster on 127.0.0.1:$pport (log: .data/postgres.log)"
touch "$root/.data/postgres.log"; [ "$(id -u)" = 0 ] && chown postgres "$root/.data/postgres.log"
"${as[@]}" "$bindir/pg_ctl" -D "$data" -l "$root/.data/postgres.log" -w \
	-o "-p $pport -c listen_addresses=127.0.0.1 -k $data" start >&2
echo "$purl"
