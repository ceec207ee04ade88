#!/usr/bin/env bash
# Gateway ingest benchmark: the same MQTT-over-TLS QoS 1 load against Centrum (persisting every message) and against
# mosquitto 2 (Debian package, persistence off), in one invocation on one machine. Prints both reports and the ratio.
#
#   bench/gateway.sh [devices=1000] [seconds=30] [window=1] [payload=256] [rate=0]
#
# rate 0 means each device sends as fast as its PUBACKs return (window messages in flight per device).
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${1:-1000}; seconds=${2:-30}; window=${3:-1}; payload=${4:-256}; rate=${5:-0}

command -v mosquitto >/dev/null || { echo "mosquitto is missing: apt-get install -y mosquitto" >&2; exit 1; }
ulimit -n 65536 2>/dev/null || true

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
centrum_ip=127.0.77.1
mosquitto_ip=127.0.78.1

. bench/lib.sh
bench_build src/Centrum.Server bench/Centrum.LoadGen
bench_settings $centrum_ip
bench_start_server centrum
centrum_pid=$server_pid
token=$($server token create --id bench --role admin "${settings[@]}")
$loadgen provision --api "https://$centrum_ip:8443/" --token "$token" --ca "$work/data/certificates/ca.pem" --devices "$devices" --out "$work/keys.txt"

common=(--ca "$work/data/certificates/ca.pem" --devices "$devices" --window "$window" --payload "$payload" --duration "$seconds" --rate "$rate")
centrum_report=$($loadgen --label centrum --host $centrum_ip --hub default.centrum.bench --keys "$work/keys.txt" "${common[@]}")
stored=$(curl -s "http://$centrum_ip:9464/metrics" | awk '/^centrum_telemetry_messages_stored_total/ {s += $NF} END {print s + 0}')
kill -TERM $centrum_pid; wait $centrum_pid || true

bench_start_mosquitto $mosquitto_ip
mosquitto_report=$($loadgen --label mosquitto --host $mosquitto_ip "${common[@]}")
kill -TERM $mosquitto_pid; wait $mosquitto_pid || true

echo "$centrum_report"
echo "$mosquitto_report"
echo "centrum stored (metric): $stored"
python3 - "$centrum_report" "$mosquitto_report" <<'PY'
import json, sys
c, m = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"ratio centrum/mosquitto messages/s: {c['MessagesPerSecond'] / m['MessagesPerSecond']:.2f} "
      f"({c['MessagesPerSecond']:.0f} vs {m['MessagesPerSecond']:.0f}); "
      f"p50 {c['P50Ms']:.1f} vs {m['P50Ms']:.1f} ms, p99 {c['P99Ms']:.1f} vs {m['P99Ms']:.1f} ms")
PY
