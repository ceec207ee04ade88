#!/usr/bin/env bash
# Connection storm: junk hosts send CONNECTs with wrong keys as fast as they are answered, while real devices
# connect, publish one QoS 1 message and disconnect in a loop. Reports the junk CONNECTs answered per second and the
# devices' connect latency, with a no-junk baseline first. Loopback only; bounded by devices, hosts and seconds.
#
#   bench/storm.sh [devices=20] [seconds=20] [junk-hosts=4] [junk-concurrency-per-host=32]
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${1:-20}; seconds=${2:-20}; hosts=${3:-4}; concurrency=${4:-32}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
ip=127.0.81.1
junk=(); for i in $(seq 1 "$hosts"); do junk+=("127.250.$i.1"); done

. bench/lib.sh
bench_build src/Centrum.Server bench/Centrum.LoadGen
bench_settings $ip
bench_start_server centrum
token=$($server token create --id bench --role admin "${settings[@]}")
$loadgen provision --api "https://$ip:8443/" --token "$token" --ca "$work/data/certificates/ca.pem" --devices "$devices" --out "$work/keys.txt"
$loadgen storm --host $ip --hub default.centrum.bench --keys "$work/keys.txt" --ca "$work/data/certificates/ca.pem" \
  --devices "$devices" --duration "$seconds" --junk-from "${junk[@]}" --junk-concurrency "$concurrency"
echo "server CPU seconds (user+system): $(awk '{print ($14 + $15) / 100}' /proc/$server_pid/stat)"
