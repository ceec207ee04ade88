#!/usr/bin/env bash
# Query latency: an hourly aggregate over a device template's telemetry through Centrum's query API, the SQL it
# compiles to (over the rollup tables) run directly on the application's DuckDB file, and the reference, the same query
# planned over raw rows only, in one invocation. Prints all three, the ratios, the roller's catch-up on the seeded
# points, and checks that all returned the same buckets.
#
#   bench/query.sh [devices=1000] [days=30] [interval-seconds=1] [repeats=5]
#
# The telemetry is seeded straight into the database in the writer's shape, not sent through the gateway (at gateway
# rates 2.6 billion points would take two days). The data folder goes under TMPDIR and takes about 11 bytes per point;
# QUERY_BENCH_KEEP=1 keeps it.
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${1:-1000}; days=${2:-30}; interval=${3:-1}; repeats=${4:-5}

work=$(mktemp -d)
cleanup() {
  kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true
  if [ "${QUERY_BENCH_KEEP:-0}" = 1 ]; then echo "data kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
# A loopback address and ports of its own: integration tests run beside it on 127.x.y.1 with 8883 and 443.
ip=127.77.0.1
app=qbench

. bench/lib.sh
bench_build src/Centrum.Server bench/Centrum.QueryBench
bench_settings $ip 18443 18883 19464
settings+=(--Logging:LogLevel:Centrum.Telemetry=Information)
qbench="dotnet bench/Centrum.QueryBench/bin/Release/net10.0/Centrum.QueryBench.dll"
api="https://$ip:18443/"
ca="$work/data/certificates/ca.pem"
file="$work/data/applications/$app/telemetry.duckdb"

start_server() {
  local started=$SECONDS
  bench_start_server "$1"
  # The store opens at start (the retention pass): wait for it, then for the server to go quiet, so the first query
  # is cold for DuckDB's buffers but does not share the CPU with start-up scans.
  until grep -q "Opened telemetry store of application $app" "$work/$1.log"; do sleep 0.2; done
  local before after
  while :; do
    before=$(awk '{print $14 + $15}' /proc/$server_pid/stat); sleep 1; after=$(awk '{print $14 + $15}' /proc/$server_pid/stat)
    [ $((after - before)) -le 5 ] && break
  done
  echo "server ready and quiet after $((SECONDS - started)) s" >&2
}
stop_server() { kill -TERM $server_pid; wait $server_pid || true; }

# Retention longer than the seeded span, so the retention pass at start deletes nothing during the benchmark.
$server app create --id $app --name "Query bench" --retention "$((days + 30)).00:00:00" "${settings[@]}" >/dev/null
token=$($server token create --app $app --id bench --role admin "${settings[@]}")
start_server setup
$qbench setup --api "$api" --token "$token" --ca "$ca" --devices "$devices"
stop_server

# Whole days ending at the last full hour: every bucket is complete, and an absolute window gives REST and direct the
# same parameters (a relative one such as P30D would differ by the seconds between the two runs).
end=$(( $(date -u +%s) / 3600 * 3600 ))
start=$(( end - days * 86400 ))
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
query="SELECT AVG(temperature), MAX(temperature) FROM dtmi:centrum:bench:Thermometer;1 WHERE WITHIN_WINDOW('$(iso $start)/$(iso $end)') GROUP BY WINDOW(PT1H)"

nice -n 19 $qbench seed --file "$file" --devices "$devices" --start "$(iso $start)" --days "$days" --interval "$interval" > "$work/seed.json"

start_server query
# The store opens at start and its roller summarizes the seeded points into the rollup tables; start_server waited
# for the server to go quiet, which it does once that catch-up ends.
caught=$(grep -o "Caught up the rollups of application $app: [0-9]* values in [0-9.]* s" "$work/query.log" || true)
$qbench rest --api "$api" --token "$token" --ca "$ca" --query "$query" --repeats "$repeats" --out "$work/rest.json" >/dev/null
stop_server
# DuckDB lets one process open a database file, so the direct runs follow the server's.
$qbench direct --file "$file" --query "$query" --devices "$devices" --repeats "$repeats" --out "$work/direct.json" >/dev/null
# The reference: the same query planned over raw rows only, as before rollups.
$qbench direct --plan raw --file "$file" --query "$query" --devices "$devices" --repeats "$repeats" --out "$work/raw.json" >/dev/null

echo "query: $query"
python3 - "$work/seed.json" "$devices" "$days" "$interval" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"seeded {s['Points']:,} points ({sys.argv[2]} devices x {sys.argv[3]} days every {sys.argv[4]} s) in {s['Seconds'] / 60:.1f} min: "
      f"{s['PointsPerSecond']:,.0f} points/s; file {s['FileBytes'] / 2**30:.2f} GiB ({s['BytesPerPoint']:.1f} bytes/point)")
PY
if [ -n "$caught" ]; then
  echo "$caught" | awk '{printf "rollups caught up at start: %s points into the minute and hour tables in %s s: %.0f points/s\n", $8, $11, $8 / $11}'
else
  echo "rollups: nothing to catch up at start (or the log line was not found)"
fi
$qbench compare --rest "$work/rest.json" --direct "$work/direct.json"
$qbench compare --rest "$work/rest.json" --direct "$work/raw.json"
