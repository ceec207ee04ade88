#!/usr/bin/env bash
# Connections benchmark: device fleets connect at once over TLS (SAS tokens, CleanSession=0, the Azure IoT Node SDK's
# three SUBSCRIBEs: twin responses, desired patches, methods) and hold their connections, against Centrum and against
# mosquitto 2 (Debian package, persistence off) in one invocation. For each fleet size it prints the time until every
# device was subscribed (the connect storm) and the broker's memory per held connection: resident-set delta over the
# reading before the storm and, for Centrum, the managed heap delta, each after a forced full GC.
#
#   bench/connections.sh [devices=5000] [more fleet sizes…]        e.g. bench/connections.sh 1000 5000 15000
#   CONCURRENCY=200 SOURCES=64 bench/connections.sh …             devices connecting at once; loopback source addresses
#
# Devices dial from SOURCES loopback addresses (127.84.0.n), round robin, so 15,000 connections stay far from one
# address's ephemeral ports and from the gateway's pending limit per address. Needs an open-file limit above the
# largest fleet (each process holds one descriptor per connection).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-5000}")
concurrency=${CONCURRENCY:-200}
source_count=${SOURCES:-64}
largest=$(printf '%s\n' "${sizes[@]}" | sort -n | tail -1)
ulimit -n 20000 2>/dev/null || true
(( $(ulimit -n) > largest + 500 )) || { echo "open-file limit $(ulimit -n) is too low for $largest connections" >&2; exit 1; }

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
centrum_ip=127.0.97.1
mosquitto_ip=127.0.98.1
sources=(); for i in $(seq 1 "$source_count"); do sources+=("127.84.0.$i"); done

. bench/lib.sh
bench_build src/Centrum.Server bench/Centrum.LoadGen
bench_settings $centrum_ip
bench_start_server centrum
centrum_pid=$server_pid
token=$($server token create --id bench --role admin "${settings[@]}")
$loadgen provision --api "https://$centrum_ip:8443/" --token "$token" --ca "$work/data/certificates/ca.pem" --devices "$largest" --out "$work/keys.txt"

common=(--ca "$work/data/certificates/ca.pem" --hub default.centrum.bench --keys "$work/keys.txt" --concurrency "$concurrency" --from "${sources[@]}")
for n in "${sizes[@]}"; do
  $loadgen connections --label centrum --host $centrum_ip --devices "$n" --server-pid $centrum_pid --dotnet \
    --metrics "$management/metrics" "${common[@]}" > "$work/centrum-$n.json"
  cat "$work/centrum-$n.json"
done
kill -TERM $centrum_pid; wait $centrum_pid || true

bench_start_mosquitto $mosquitto_ip
for n in "${sizes[@]}"; do
  $loadgen connections --label mosquitto --host $mosquitto_ip --devices "$n" --server-pid $mosquitto_pid "${common[@]}" > "$work/mosquitto-$n.json"
  cat "$work/mosquitto-$n.json"
done
kill -TERM $mosquitto_pid; wait $mosquitto_pid || true

python3 - "$work" "${sizes[@]}" <<'PY'
import json, sys
work, sizes = sys.argv[1], sys.argv[2:]
print("| devices | broker | held | storm s | connects/s | connect p50 / p99 ms | RSS KB/conn | heap KB/conn | refusals |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for n in sizes:
    for broker in ("centrum", "mosquitto"):
        r = json.load(open(f"{work}/{broker}-{n}.json"))
        heap = "" if r["heapPerConnectionKb"] is None else r["heapPerConnectionKb"]
        print(f"| {n} | {broker} | {r['held']} | {r['stormSeconds']} | {r['connectsPerSecond']} | {r['connectP50Ms']:.0f} / {r['connectP99Ms']:.0f} "
              f"| {r['rssPerConnectionKb']} | {heap} | {sum(r['refusals'].values())} |")
    c, m = (json.load(open(f"{work}/{b}-{n}.json")) for b in ("centrum", "mosquitto"))
    print(f"ratio at {n}: storm time centrum/mosquitto {c['stormSeconds'] / m['stormSeconds']:.2f}, "
          f"RSS per connection centrum/mosquitto {c['rssPerConnectionKb'] / max(m['rssPerConnectionKb'], 0.1):.2f}", file=sys.stderr)
PY
