#!/usr/bin/env bash
# Dashboard render time: a dashboard of 10 line-chart tiles over a device group of the bench fleet (every device of
# the bench template), opened in headless chromium (Debian's, through Playwright for .NET) from navigation to every
# tile drawn, cold (the first open after the server started) and warm (median of the repeats); next to the tiles' 10
# queries through POST /api/query one after another and all at once, in one invocation. Each tile draws the
# aggregate per bucket (an hour for 7 days) that the rollups answer; the run fails unless every tile drew as many
# buckets as that query answers. One sample of the server's
# stacks (dotnet-stack) is taken during one more render.
#
#   bench/dashboard.sh [devices=1000] [days=7] [repeats=5]
#
# Telemetry: one point a minute per device (10 million points at 1,000 devices over 7 days), seeded straight into
# DuckDB in the writer's shape as bench/query.sh seeds it (bench/query-lib.sh). QUERY_BENCH_DATA=<folder> keeps the
# seeded data folder for later runs; the stack samples go to ${TMPDIR:-/tmp}/dashboard-stacks.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${1:-1000}; days=${2:-7}; repeats=${3:-5}

work=$(mktemp -d)
cleanup() { kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
# A loopback address and ports of its own, away from the integration tests' and the other bench scripts'.
. bench/lib.sh
. bench/query-lib.sh
query_bench_init 127.77.0.3 18445 18885 19466
query_bench_seed "$devices" "$days" 60

stacks=${TMPDIR:-/tmp}/dashboard-stacks.txt
rm -f "$stacks"
query_bench_start_server dashboard
query_bench_person
$qbench dashboard-setup --api "$api" --token "$token" --ca "$ca" --tiles 10 --days "$days"
echo "devices: $devices, days: $days, one point a minute per device"
query_bench_print_seed "$devices" "$days" 60
$qbench dashboard --api "$api" --token "$token" --ca "$ca" --email "$bench_person" --password "$bench_password" \
  --tiles 10 --days "$days" --repeats "$repeats" --server-pid "$server_pid" --stacks "$stacks"
query_bench_stop_server
