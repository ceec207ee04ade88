#!/usr/bin/env bash
# The metadata store's cost: the same commands, reported-property and telemetry ingest loads against the server on
# SQLite (the default) and on PostgreSQL (a private cluster of Debian's postgresql, default durability: fsync and
# synchronous_commit on), in one invocation on one machine. Prints the reports and the ratios PostgreSQL/SQLite.
#
#   bench/stores.sh [devices=200] [seconds=15] [concurrency=32]
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${1:-200}; seconds=${2:-15}; concurrency=${3:-32}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "PostgreSQL is missing: apt-get install -y postgresql" >&2; exit 1; }
ulimit -n 65536 2>/dev/null || true

work=$(mktemp -d)
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true
  as_postgres "$bin/pg_ctl" -D "$work/pg" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
ip=127.0.81.1
pg_port=55481

mkdir -p "$work/pg-sockets"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$work" "$work/pg-sockets"
as_postgres "$bin/initdb" -D "$work/pg" -U centrum -A trust -E UTF8 --locale=C >/dev/null
as_postgres "$bin/pg_ctl" -D "$work/pg" -o "-p $pg_port -k $work/pg-sockets -c listen_addresses=127.0.0.1" -l "$work/pg.log" -w start >/dev/null
as_postgres "$bin/createdb" -h 127.0.0.1 -p $pg_port -U centrum centrum
pg="Host=127.0.0.1;Port=$pg_port;Username=centrum;Database=centrum"

. bench/lib.sh
bench_build src/Centrum.Server bench/Centrum.LoadGen

# One store: start on a fresh data folder, provision, commands and reported properties, then telemetry ingest.
run() {
  local store=$1; shift
  rm -rf "$work/data"
  bench_settings $ip
  settings+=("$@")
  bench_start_server "centrum-$store"
  local token
  token=$($server token create --id bench --role admin "${settings[@]}")
  $loadgen provision --api "https://$ip:8443/" --token "$token" --ca "$work/data/certificates/ca.pem" --devices "$devices" --out "$work/keys.txt"
  $loadgen commands --host $ip --hub default.centrum.bench --keys "$work/keys.txt" --ca "$work/data/certificates/ca.pem" \
    --devices "$devices" --duration "$seconds" --api "https://$ip:8443/" --token "$token" --concurrency "$concurrency" > "$work/$store-commands.json"
  $loadgen --label "$store" --host $ip --hub default.centrum.bench --keys "$work/keys.txt" --ca "$work/data/certificates/ca.pem" \
    --devices "$devices" --duration "$seconds" > "$work/$store-ingest.json"
  kill -TERM "$server_pid"; wait "$server_pid" || true
}

run sqlite
run postgresql --Centrum:Storage:Provider=PostgreSql "--Centrum:Storage:PostgreSqlConnectionString=$pg"

for f in sqlite-commands sqlite-ingest postgresql-commands postgresql-ingest; do echo "$f: $(cat "$work/$f.json")"; done
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
load = lambda n: json.load(open(f"{w}/{n}.json"))
sc, si, pc, pi = load("sqlite-commands"), load("sqlite-ingest"), load("postgresql-commands"), load("postgresql-ingest")
def row(name, s, p, fmt="{:.0f}"):
    print(f"{name}: sqlite {fmt.format(s)}, postgresql {fmt.format(p)}, ratio postgresql/sqlite {p / s:.2f}")
row("commands/s", sc["CommandsPerSecond"], pc["CommandsPerSecond"])
row("command p50 ms", sc["CommandP50Ms"], pc["CommandP50Ms"], "{:.1f}")
row("command p99 ms", sc["CommandP99Ms"], pc["CommandP99Ms"], "{:.1f}")
row("reported updates/s", sc["ReportedUpdatesPerSecond"], pc["ReportedUpdatesPerSecond"])
row("telemetry messages/s", si["MessagesPerSecond"], pi["MessagesPerSecond"])
row("telemetry p99 ms", si["P99Ms"], pi["P99Ms"], "{:.1f}")
PY
