#!/usr/bin/env bash
# Gateway ingest benchmark: the same MQTT-over-TLS QoS 1 load against Centrum (persisting every message) and against
# mosquitto 2 (Debian package, persistence off), in one invocation on one machine. Prints both reports and the ratio.
#
#   bench/gateway.sh [devices=1000] [seconds=30] [window=1] [payload=256] [rate=0]
#
# BENCH_CENTRUM_IP and BENCH_MOSQUITTO_IP choose other loopback addresses (two runs side by side).
# rate 0 means each device sends as fast as its PUBACKs return (window messages in flight per device).
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${1:-1000}; seconds=${2:-30}; window=${3:-1}; payload=${4:-256}; rate=${5:-0}

command -v mosquitto >/dev/null || { echo "mosquitto is missing: apt-get install -y mosquitto" >&2; exit 1; }
ulimit -n 65536 2>/dev/null || true

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
centrum_ip=${BENCH_CENTRUM_IP:-127.0.77.1}
mosquitto_ip=${BENCH_MOSQUITTO_IP:-127.0.78.1}

. bench/lib.sh
bench_build src/Centrum.Server bench/Centrum.LoadGen
bench_settings $centrum_ip
bench_start_server centrum
centrum_pid=$server_pid
token=$($server token create --id bench --role admin "${settings[@]}")
$loadgen provision --api "https://$centrum_ip:8443/" --token "$token" --ca "$work/data/certificates/ca.pem" --devices "$devices" --out "$work/keys.txt"

common=(--ca "$work/data/certificates/ca.pem" --devices "$devices" --window "$window" --payload "$payload" --duration "$seconds" --rate "$rate")
centrum_report=$($loadgen --label centrum --host $centrum_ip --hub default.centrum.bench --keys "$work/keys.txt" "${common[@]}")
curl -s "http://$centrum_ip:9464/metrics" > "$work/metrics.txt" || true
stored=$(awk '/^centrum_telemetry_messages_stored_total/ {s += $NF} END {print s + 0}' "$work/metrics.txt")
kill -TERM $centrum_pid; wait $centrum_pid || true

bench_start_mosquitto $mosquitto_ip
mosquitto_report=$($loadgen --label mosquitto --host $mosquitto_ip "${common[@]}")
kill -TERM $mosquitto_pid; wait $mosquitto_pid || true

echo "$centrum_report"
echo "$mosquitto_report"
echo "centrum stored (metric): $stored"
# Where the server's time went: its own commit histograms (append + commit per batch) and checkpoints.
python3 - "$work/metrics.txt" <<'PY'
import re, sys
sums, buckets = {}, {}
for line in open(sys.argv[1]):
    m = re.match(r'^(centrum_telemetry_(?:commit|checkpoint)\w*?)(_sum|_count|_bucket)(?:\{([^}]*)\})? (\S+)$', line)
    if not m:
        continue
    name, kind, labels, value = m.group(1), m.group(2), m.group(3) or '', float(m.group(4))
    reason = re.search(r'reason="([^"]+)"', labels)
    name += f" ({reason.group(1)})" if reason else ''
    if kind == '_bucket':
        le = re.search(r'le="([^"]+)"', labels).group(1)
        buckets.setdefault(name, {})
        buckets[name][le] = buckets[name].get(le, 0) + value
    else:
        sums[(name, kind)] = sums.get((name, kind), 0) + value
for name in sorted({n for n, _ in sums}):
    count, total = sums.get((name, '_count'), 0), sums.get((name, '_sum'), 0)
    line = f"{name}: count {count:.0f}, mean {total / count if count else 0:.4g}"
    if name in buckets and count:
        ordered = sorted(((float('inf') if le == '+Inf' else float(le)), c) for le, c in buckets[name].items())
        p99 = next(le for le, c in ordered if c >= 0.99 * count)
        line += f", p99 <= {p99:g}, max bucket {next(le for le, c in ordered if c >= count):g}"
    print(line)
PY
python3 - "$centrum_report" "$mosquitto_report" <<'PY'
import json, sys
c, m = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"ratio centrum/mosquitto messages/s: {c['MessagesPerSecond'] / m['MessagesPerSecond']:.2f} "
      f"({c['MessagesPerSecond']:.0f} vs {m['MessagesPerSecond']:.0f}); "
      f"p50 {c['P50Ms']:.1f} vs {m['P50Ms']:.1f} ms, p99 {c['P99Ms']:.1f} vs {m['P99Ms']:.1f} ms")
PY
