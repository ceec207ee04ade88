# Shared by bench/query.sh, bench/explorer.sh and bench/dashboard.sh: the query bench's application (a device template
# with one double telemetry `temperature` and its devices, made through REST) and its telemetry seeded straight into
# DuckDB in the writer's shape (Centrum.QueryBench seed). Source it after bench/lib.sh, with $work set.
#
#   query_bench_init <ip> <https> <mqtt> <management>      # builds; sets $server, settings=(…), $api, $ca
#   query_bench_seed <devices> <days> <interval-seconds>   # sets $token, $file, $start, $end, $query, $seeded_json
#   query_bench_start_server <log name> / query_bench_stop_server
#   query_bench_person                                     # a member for the browser: $bench_person, $bench_password
#
# QUERY_BENCH_DATA=<folder> keeps the data folder there: the first run seeds it, later runs with the same folder and
# sizes measure it again without seeding (2.6 billion points take an hour or more to seed; the queries minutes).
app=qbench
qbench="dotnet bench/Centrum.QueryBench/bin/Release/net10.0/Centrum.QueryBench.dll"
file="$work/data/applications/$app/telemetry.duckdb"

query_bench_init() {
  bench_build src/Centrum.Server bench/Centrum.QueryBench
  bench_settings "$1" "$2" "$3" "$4"
  settings+=(--Logging:LogLevel:Centrum.Telemetry=Information)
  api="https://$1:$2/"
  ca="$work/data/certificates/ca.pem"
}

query_bench_start_server() {
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
query_bench_stop_server() { kill -TERM $server_pid; wait $server_pid || true; }

query_bench_seed() {
  local devices=$1 days=$2 interval=$3
  if [ -n "${QUERY_BENCH_DATA:-}" ]; then
    mkdir -p "$QUERY_BENCH_DATA"
    ln -sfn "$(cd "$QUERY_BENCH_DATA" && pwd)" "$work/data"
  fi
  local marker="$work/data/query-bench-$devices-$days-$interval.json"
  if [ -f "$marker" ]; then
    echo "reusing the seeded data folder ($marker)" >&2
  else
    [ -e "$file" ] && { echo "$work/data holds another size's data; use another QUERY_BENCH_DATA folder" >&2; exit 1; }
    # Retention longer than the seeded span, so the retention pass at start deletes nothing during the benchmark.
    $server app create --id $app --name "Query bench" --retention "$((days + 30)).00:00:00" "${settings[@]}" >/dev/null
    token=$($server token create --app $app --id "bench-$$" --role admin "${settings[@]}")
    query_bench_start_server setup
    $qbench setup --api "$api" --token "$token" --ca "$ca" --devices "$devices"
    query_bench_stop_server
    # Whole days ending at the last full hour: every bucket is complete, and an absolute window gives REST and direct
    # the same parameters (a relative one such as P30D would differ by the seconds between the two runs).
    local last_hour=$(( $(date -u +%s) / 3600 * 3600 ))
    local first=$(( last_hour - days * 86400 ))
    $qbench seed --file "$file" --devices "$devices" --start "$(iso $first)" --days "$days" --interval "$interval" > "$work/seed.json"
    python3 - "$work/seed.json" "$first" "$last_hour" > "$marker.tmp" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); s["Start"] = int(sys.argv[2]); s["End"] = int(sys.argv[3]); print(json.dumps(s))
PY
    mv "$marker.tmp" "$marker"
  fi
  [ -n "${token:-}" ] || token=$($server token create --app $app --id "bench-$$" --role admin "${settings[@]}")
  seeded_json=$marker
  start=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["Start"])' "$marker")
  end=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["End"])' "$marker")
  query="SELECT AVG(temperature), MAX(temperature) FROM dtmi:centrum:bench:Thermometer;1 WHERE WITHIN_WINDOW('$(iso $start)/$(iso $end)') GROUP BY WINDOW(PT1H)"
}

iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

query_bench_print_seed() {
  python3 - "$seeded_json" "$@" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"seeded {s['Points']:,} points ({sys.argv[2]} devices x {sys.argv[3]} days every {sys.argv[4]} s) with their rollups in "
      f"{s['Seconds'] / 60:.1f} min ({s['RollupSeconds'] / 60:.1f} min of it rolling up): {s['PointsPerSecond']:,.0f} points/s; "
      f"file {s['FileBytes'] / 2**30:.2f} GiB ({s['BytesPerPoint']:.1f} bytes/point); rollups equal the raw aggregates on "
      f"{s['Check']['KeysCompared']:,} sampled keys")
PY
}

# A person with a local account, made an operator of the bench application (the browser signs in as them): the account
# through the command line, the membership through REST as IoT Central's users API makes it.
bench_person=bench-person@example.com
bench_password=Correct-horse-battery-9
query_bench_person() {
  $server user create --email "$bench_person" --password "$bench_password" "${settings[@]}" >/dev/null 2>&1 || true
  curl -sf --cacert "$ca" -X PUT -H "Authorization: $token" -H 'Content-Type: application/json' \
    "${api}api/users/bench-person?api-version=2022-07-31" \
    -d "{\"type\":\"email\",\"email\":\"$bench_person\",\"roles\":[{\"role\":\"ae2c9854-393b-4f97-8c42-479d70ce626e\"}]}" >/dev/null
}
