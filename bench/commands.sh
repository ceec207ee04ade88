#!/usr/bin/env bash
# Commands and reported properties across a connected fleet (MQTTnet devices over TLS, REST callers):
# command round trip p50/p99 and commands/s, then reported updates/s.
#
#   bench/commands.sh [devices=1000] [seconds=20] [concurrency=32]
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${1:-1000}; seconds=${2:-20}; concurrency=${3:-32}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
ip=127.0.80.1

. bench/lib.sh
bench_build src/Centrum.Server bench/Centrum.LoadGen
bench_settings $ip
bench_start_server centrum
token=$($server token create --id bench --role admin "${settings[@]}")
$loadgen provision --api "https://$ip:8443/" --token "$token" --ca "$work/data/certificates/ca.pem" --devices "$devices" --out "$work/keys.txt"
$loadgen commands --host $ip --hub default.centrum.bench --keys "$work/keys.txt" --ca "$work/data/certificates/ca.pem" \
  --devices "$devices" --duration "$seconds" --api "https://$ip:8443/" --token "$token" --concurrency "$concurrency"
