#!/usr/bin/env bash
# Cold start to ready: the Release server started on an empty data folder (it creates the databases, runs the
# migrations and issues its CA and server certificate) and again on the same, now warm, folder; the time from the
# process start until the management port answers /health/ready, polled every 10 ms, and the CPU time the process
# used by then (user + system, from /proc), which a busy machine inflates less than the wall time. Prints each run and
# the medians.
#
#   bench/startup.sh [runs=5] [ip=127.0.90.1]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
work=$(mktemp -d)
trap 'kill "$server_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
server_pid=
. bench/lib.sh
bench_build src/Centrum.Server
bench_settings "${2:-127.0.90.1}"
# The default log level: the figures include what a first run prints.
kept=()
for s in "${settings[@]}"; do [[ $s == --Logging:* ]] || kept+=("$s"); done
settings=("${kept[@]}")

ready_ms() {
  local start end
  start=$(date +%s%N)
  $server "${settings[@]}" > "$work/$1.log" 2>&1 &
  server_pid=$!
  until curl -sf "$management/health/ready" >/dev/null 2>&1; do
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/$1.log" >&2; exit 1; }
    sleep 0.01
  done
  end=$(date +%s%N)
  local cpu_ticks
  cpu_ticks=$(awk '{ print $14 + $15 }' "/proc/$server_pid/stat")
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  echo "$(( (end - start) / 1000000 )) $(( cpu_ticks * 1000 / $(getconf CLK_TCK) ))"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

empty=() warm=() empty_cpu=() warm_cpu=()
for i in $(seq "$runs"); do
  rm -rf "$work/data"
  read -r wall cpu < <(ready_ms empty-$i); empty+=("$wall"); empty_cpu+=("$cpu")
  read -r wall cpu < <(ready_ms warm-$i); warm+=("$wall"); warm_cpu+=("$cpu")
done
echo "empty data folder, wall ms: ${empty[*]}  median $(printf '%s\n' "${empty[@]}" | median); CPU ms: ${empty_cpu[*]}  median $(printf '%s\n' "${empty_cpu[@]}" | median)"
echo "warm data folder, wall ms:  ${warm[*]}  median $(printf '%s\n' "${warm[@]}" | median); CPU ms: ${warm_cpu[*]}  median $(printf '%s\n' "${warm_cpu[@]}" | median)"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "--- log of the first start on an empty folder ($(wc -l < "$work/empty-1.log") lines):"
cat "$work/empty-1.log"
