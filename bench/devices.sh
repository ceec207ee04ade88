#!/usr/bin/env bash
# Device creation through REST: concurrent callers PUT new devices (IoT Central's Devices_Create) on a fresh server;
# creations/s and PUT latency, then pairs of callers racing on the same new ids (both must succeed).
#
#   bench/devices.sh [count=5000] [callers=64]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-5000}; callers=${2:-64}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
ip=127.0.82.1

. bench/lib.sh
bench_build src/Centrum.Server bench/Centrum.LoadGen
bench_settings $ip
bench_start_server centrum
token=$($server token create --id bench --role admin "${settings[@]}")
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
$loadgen devices --api "https://$ip:8443/" --token "$token" --ca "$work/data/certificates/ca.pem" --devices "$count" --callers "$callers"
echo "server CPU seconds (user+system): $(awk '{print ($14 + $15) / 100}' /proc/$server_pid/stat)"
