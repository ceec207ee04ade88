#!/usr/bin/env bash
# Query latency: an hourly aggregate over a device template's telemetry through Centrum's query API, the SQL it
# compiles to (over the rollup tables) run directly on the application's DuckDB file, and the reference, the same query
# planned over raw rows only, in one invocation. Prints all three, the ratios, the seed (its rate, and the check that
# the rollups it wrote equal aggregates over the raw rows), and checks that all returned the same buckets.
#
#   bench/query.sh [devices=1000] [days=30] [interval-seconds=1] [repeats=5]
#
# The telemetry is seeded straight into the database in the writer's shape, not sent through the gateway (at gateway
# rates 2.6 billion points would take two days). The data folder goes under TMPDIR and takes about 11 bytes per point;
# QUERY_BENCH_KEEP=1 keeps it, QUERY_BENCH_DATA=<folder> seeds it there once and measures it again on later runs.
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
. bench/lib.sh
. bench/query-lib.sh
query_bench_init 127.77.0.1 18443 18883 19464
query_bench_seed "$devices" "$days" "$interval"

query_bench_start_server query
# The seed wrote the rollup tables and their watermarks with the raw rows, so the roller finds nothing to catch up
# when the store opens; a catch-up line would mean the seeded watermarks were wrong.
caught=$(grep -o "Caught up the rollups of application $app: [0-9]* values in [0-9.]* s" "$work/query.log" || true)
$qbench rest --api "$api" --token "$token" --ca "$ca" --query "$query" --repeats "$repeats" --out "$work/rest.json" >/dev/null
query_bench_stop_server
# DuckDB lets one process open a database file, so the direct runs follow the server's.
$qbench direct --file "$file" --query "$query" --devices "$devices" --repeats "$repeats" --out "$work/direct.json" >/dev/null
# The reference: the same query planned over raw rows only, as before rollups.
$qbench direct --plan raw --file "$file" --query "$query" --devices "$devices" --repeats "$repeats" --out "$work/raw.json" >/dev/null

echo "query: $query"
query_bench_print_seed "$devices" "$days" "$interval"
if [ -n "$caught" ]; then
  echo "the roller caught up at start although the seed wrote the rollups: $caught" >&2
  exit 1
fi
echo "rollups: seeded with the raw rows, nothing for the roller to catch up at start"
$qbench compare --rest "$work/rest.json" --direct "$work/direct.json"
$qbench compare --rest "$work/rest.json" --direct "$work/raw.json"
