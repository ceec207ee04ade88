#!/usr/bin/env bash
# Jobs over a connected fleet (MQTTnet devices over TLS that answer commands and acknowledge writable properties):
# a command job and a property job over a group of every device, each timed to completion, with the server's
# resident memory and the telemetry rate of a share of the devices before, during and after the jobs.
#
#   bench/jobs.sh [devices=10000] [telemetry-devices=1000] [telemetry-rate=2000] [baseline-seconds=20] [server arguments…]
#
# Each device holds one TLS connection in the load generator and one in the server: 10,000 devices need an open-file
# limit above 10,000 for each process (ulimit -n).
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${1:-10000}; telemetry_devices=${2:-1000}; rate=${3:-2000}; seconds=${4:-20}
shift $(( $# < 4 ? $# : 4 ))
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
ip=127.0.80.7

. bench/lib.sh
bench_build src/Centrum.Server bench/Centrum.LoadGen
bench_settings $ip
bench_start_server centrum "$@"
token=$($server token create --id bench --role admin "${settings[@]}")
$loadgen provision --api "https://$ip:8443/" --token "$token" --ca "$work/data/certificates/ca.pem" --devices "$devices" --out "$work/keys.txt" --job-template
$loadgen jobs --host $ip --hub default.centrum.bench --keys "$work/keys.txt" --ca "$work/data/certificates/ca.pem" \
  --devices "$devices" --telemetry-devices "$telemetry_devices" --rate "$rate" --duration "$seconds" \
  --api "https://$ip:8443/" --token "$token" --server-pid "$server_pid" \
  || { echo "the run failed; the server's log ends:" >&2; tail -40 "$work/centrum.log" >&2; exit 1; }
