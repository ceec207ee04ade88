#!/usr/bin/env bash
# Data-explorer latency: an hourly average over the bench template's whole seeded span, built in the data explorer page
# in headless chromium and timed from pressing Run to the result and the chart drawn; the page's own query text then
# through POST /api/query and directly on DuckDB, in one invocation. Prints the three, the ratios, and checks that
# REST and direct returned the same buckets and the page as many rows. One sample of the server's stacks
# (dotnet-stack) is taken during one more run.
#
#   bench/explorer.sh [devices=1000] [days=30] [interval-seconds=1] [repeats=3]
#
# The telemetry is seeded as bench/query.sh seeds it (bench/query-lib.sh; QUERY_BENCH_DATA=<folder> seeds once and
# measures again on later runs). The stack samples go to ${TMPDIR:-/tmp}/explorer-stacks.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${1:-1000}; days=${2:-30}; interval=${3:-1}; repeats=${4:-3}

work=$(mktemp -d)
cleanup() { kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
# A loopback address and ports of its own, away from the integration tests' and the other bench scripts'.
. bench/lib.sh
. bench/query-lib.sh
query_bench_init 127.77.0.2 18446 18886 19467
query_bench_seed "$devices" "$days" "$interval"

stacks=${TMPDIR:-/tmp}/explorer-stacks.txt
rm -f "$stacks"
query_bench_start_server explorer
query_bench_person
# The page first, so its first run is the server's first query (cold); REST follows on the same server (warm).
$qbench explorer --api "$api" --email "$bench_person" --password "$bench_password" --from "$(iso $start)" --to "$(iso $end)" \
  --repeats "$repeats" --out "$work/page.json" --query-out "$work/query.txt" --server-pid "$server_pid" --stacks "$stacks" | tee "$work/page.txt"
$qbench rest --api "$api" --token "$token" --ca "$ca" --query "$(cat "$work/query.txt")" --repeats "$((repeats + 1))" --out "$work/rest.json" >/dev/null
query_bench_stop_server
# DuckDB lets one process open a database file, so the direct runs follow the server's.
$qbench direct --file "$file" --query "$(cat "$work/query.txt")" --devices "$devices" --repeats "$((repeats + 1))" --out "$work/direct.json" >/dev/null

query_bench_print_seed "$devices" "$days" "$interval"
$qbench compare --rest "$work/rest.json" --direct "$work/direct.json"
python3 - "$work/page.json" "$work/rest.json" "$work/direct.json" "$work/page.txt" <<'PY'
import json, re, statistics, sys
page, rest, direct = (json.load(open(p)) for p in sys.argv[1:4])
p, r, d = (statistics.median(x["latenciesMs"][1:]) for x in (page, rest, direct))
print(f"ratio page / REST warm p50 {p / r:.2f}; page / direct {p / d:.2f}")
shown = re.search(r"(\d+) rows", open(sys.argv[4]).read())
rows = len(rest["results"])
if not shown or int(shown.group(1)) != rows:
    sys.exit(f"the page showed {shown.group(1) if shown else 'no'} rows, REST answered {rows}")
print(f"the page showed the same {rows} rows")
PY
