#!/usr/bin/env bash
# AMQP telemetry ingest next to MQTT, in one invocation against one Centrum server: the same devices, payloads and
# window over MQTT/TLS (one connection per device), over AMQP/TLS (one connection per device), and over one AMQP
# connection that carries every device (multiplexed, as the C# SDK's pooling or a gateway does). Prints the three
# reports and the AMQP rates as ratios of the MQTT rate measured in the same run.
#
#   bench/amqp.sh [devices=1000] [seconds=30] [window=1] [payload=256]
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${1:-1000}; seconds=${2:-30}; window=${3:-1}; payload=${4:-256}
ulimit -n 65536 2>/dev/null || true

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
ip=${BENCH_CENTRUM_IP:-127.0.79.1}

. bench/lib.sh
bench_build src/Centrum.Server bench/Centrum.LoadGen
bench_settings $ip
bench_start_server centrum
token=$($server token create --id bench --role admin "${settings[@]}")
$loadgen provision --api "https://$ip:8443/" --token "$token" --ca "$work/data/certificates/ca.pem" --devices "$devices" --out "$work/keys.txt"

common=(--host $ip --hub default.centrum.bench --keys "$work/keys.txt" --ca "$work/data/certificates/ca.pem" --devices "$devices" --window "$window" --payload "$payload" --duration "$seconds")
mqtt=$($loadgen --label mqtt "${common[@]}")
amqp=$($loadgen amqp --label amqp --port 5671 "${common[@]}")
multiplexed=$($loadgen amqp --label amqp-one-connection --port 5671 --multiplex "${common[@]}")
echo "$mqtt"; echo "$amqp"; echo "$multiplexed"
python3 - "$mqtt" "$amqp" "$multiplexed" <<'PY'
import json, sys
mqtt, amqp, one = (json.loads(a) for a in sys.argv[1:4])
for r in (amqp, one):
    print(f"{r['Label']}: {r['MessagesPerSecond']:.0f} msg/s = {r['MessagesPerSecond'] / mqtt['MessagesPerSecond']:.2f} x MQTT ({mqtt['MessagesPerSecond']:.0f} msg/s); p99 {r['P99Ms']:.1f} ms vs {mqtt['P99Ms']:.1f} ms")
PY
