#!/usr/bin/env bash
# Continuous data export: MQTT devices publish at a sustained rate, a telemetry export delivers every message to a
# webhook inside the load generator, and the load generator then posts the same number of messages straight to that
# webhook, as the export's sender does, for reference. Prints the report and the ratio.
#
#   bench/export.sh [devices=100] [rate=1000] [seconds=30] [payload=256] [server settings...]
#
# Devices publish for 20 s of warm-up, then for the measured seconds; the warm-up is delivered and checked but left
# out of rates and lags.
#
# Arguments after the fourth go to the server, e.g. --Centrum:Export:BatchSize=2000. EXPORT_TIMELINE=<file> also writes
# the deliveries per second and their lag as CSV.
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${1:-100}; rate=${2:-1000}; seconds=${3:-30}; payload=${4:-256}
shift $(( $# < 4 ? $# : 4 ))
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
# A loopback address of its own: integration tests take 127.x.y.1 with ports 443 and 8883, the other benches 127.0.x.1.
ip=127.78.0.1

. bench/lib.sh
bench_build src/Centrum.Server bench/Centrum.LoadGen
bench_settings $ip

created=$($server app create --id ebench --name "Export bench" "${settings[@]}")
hub=$(sed -n 's/.*hubHostName=\([^ ]*\).*/\1/p' <<<"$created")
token=$($server token create --app ebench --id bench --role admin "${settings[@]}")
# The receiver is inside the load generator on loopback, which destinations may reach only when allowed.
bench_start_server centrum --Centrum:Export:AllowLocalDestinations=true "$@"
ca="$work/data/certificates/ca.pem"
$loadgen provision --api "https://$ip:8443/" --token "$token" --ca "$ca" --devices "$devices" --out "$work/keys.txt"

status=0
report=$($loadgen export --host $ip --hub "$hub" --keys "$work/keys.txt" --ca "$ca" --api "https://$ip:8443/" --token "$token" \
  --devices "$devices" --rate "$rate" --duration "$seconds" --payload "$payload" ${EXPORT_TIMELINE:+--timeline "$EXPORT_TIMELINE"}) || status=$?
curl -s "http://$ip:9464/metrics" > "$work/metrics.txt" || true
failed=$(awk '/^centrum_export_failed_total/ {s += $NF} END {print s + 0}' "$work/metrics.txt")
# Each delivered batch records one lag sample: the histogram's count is the number of batches.
batches=$(awk '/^centrum_export_lag_seconds_count/ {s += $NF} END {print s + 0}' "$work/metrics.txt")
kill -TERM $server_pid; wait $server_pid || true
grep -E '(^| )(warn|fail|crit): ' "$work/centrum.log" | head -20 >&2 || true

echo "$report"
echo "export batches delivered: $batches, failed: $failed (server metrics)"
python3 - "$report" "$batches" <<'PY'
import json, sys
r, batches = json.loads(sys.argv[1]), int(sys.argv[2])
print(f"ratio export/direct POST messages/s: {r['Ratio']:.2f} ({r['DeliveredPerSecond']:.0f} vs {r['DirectPerSecond']:.0f}); "
      f"ingest {r['IngestPerSecond']:.0f}/s; lag p50 {r['LagP50Ms']:.1f} ms, p99 {r['LagP99Ms']:.1f} ms; "
      f"duplicates {r['Duplicates']}, missing {r['Missing']}, out of order {r['OutOfOrder']}; "
      f"{r['ReceivedDistinct'] / max(batches, 1):.0f} messages per batch; {r['WarmupBacklog']} warm-up messages delivered in the measured phase"
      + ("" if r['Drained'] else " (drain timed out)"))
PY
exit $status
