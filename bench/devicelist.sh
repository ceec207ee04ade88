#!/usr/bin/env bash
# The device list page's first render through the server at a large fleet: the Release server on a fresh data folder,
# N devices written straight into its metadata store (the registry's rows, as REST would leave them; through REST
# 100,000 creates would take minutes), a member signed in through the account endpoint, then GET /devices (the page
# prerendered: the first page of 50 and the pager's count, rendered to HTML) timed against GET / (the application's
# home page, the same shell without the list) and the list's own SQL on the same SQLite file, in one invocation.
#
#   bench/devicelist.sh [devices=100000] [repeats=20]
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${1:-100000}; repeats=${2:-20}

work=$(mktemp -d)
cleanup() { kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
ip=127.78.0.1

. bench/lib.sh
bench_build src/Centrum.Server
bench_settings $ip 18444 18884 19465
base="https://$ip:18444"
ca="$work/data/certificates/ca.pem"
cli() { $server "$@" --Centrum:Storage:DataFolder="$work/data" --Centrum:Network:HostNames:0=centrum.bench; }

bench_start_server first
token=$(cli token create --app default --id bench --role admin)
email=bench-person@example.com
password=Correct-horse-battery-9
cli user create --email "$email" --password "$password" >/dev/null
curl -sf --cacert "$ca" -X PUT -H "Authorization: $token" -H 'Content-Type: application/json' \
  "$base/api/users/bench-person?api-version=2022-07-31" \
  -d "{\"type\":\"email\",\"email\":\"$email\",\"roles\":[{\"role\":\"ae2c9854-393b-4f97-8c42-479d70ce626e\"}]}" >/dev/null
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true

db=$(find "$work/data" -maxdepth 2 -name '*.db' | head -1)
python3 - "$db" "$devices" <<'PY'
import sqlite3, sys
db, n = sys.argv[1], int(sys.argv[2])
c = sqlite3.connect(db)
rows = []
for i in range(n):
    last = None if i % 3 == 0 else f"2026-11-01 00:{(i // 60) % 60:02d}:{i % 60:02d}+00:00"
    rows.append(("default", f"device-{i:06d}", f"Sensor {(i * 7919) % n:06d}", None, i % 10 != 0, i % 4 == 0, f'["org-{i % 10}"]', "-", "-", "symmetricKey", str(i), "2026-11-01 00:00:00+00:00", last))
c.executemany('INSERT INTO devices (ApplicationId, Id, DisplayName, TemplateId, Enabled, Simulated, Organizations, PrimaryKeyProtected, '
              'SecondaryKeyProtected, AttestationType, ETag, CreatedAt, LastConnectTime, Provisioned, Approved) '
              'VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,0,1)', rows)
c.commit()
PY

bench_start_server second
jar="$work/cookies"
curl -sf --cacert "$ca" -c "$jar" -H 'Content-Type: application/json' "$base/account/signin" \
  -d "{\"email\":\"$email\",\"password\":\"$password\",\"application\":\"default\"}" >/dev/null

# Each request's server time as curl sees it from the first byte sent to the last received (time_total minus the
# connect and TLS handshake): one connection per request, so the handshake is taken out, not averaged in.
timed() {
  local path=$1 out
  for _ in 1 2 3; do curl -sf --cacert "$ca" -b "$jar" -o /dev/null "$base$path"; done
  for _ in $(seq "$repeats"); do
    curl -sf --cacert "$ca" -b "$jar" -o "$work/page.html" -w '%{time_appconnect} %{time_total}\n' "$base$path"
  done | awk '{ print ($2 - $1) * 1000 }' | sort -n | awk '{ a[NR] = $1 } END { printf "%.1f ms p50, %.1f ms p95", a[int(NR / 2) + 1], a[int(NR * 0.95)] }'
}

home=$(timed /)
list=$(timed /devices)
grep -q 'device-000049' "$work/page.html" || { echo "the list page did not render the first page" >&2; exit 1; }
rows=$(grep -o 'data-testid="status-device-[0-9]*"' "$work/page.html" | wc -l)
count=$(grep -o 'data-testid="device-count"[^<]*<[^<]*' "$work/page.html" | head -1 || true)
sql=$(python3 - "$db" "$repeats" <<'PY'
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1])
q1 = "SELECT * FROM devices WHERE ApplicationId = 'default' ORDER BY Id LIMIT 51"
q2 = "SELECT COUNT(*) FROM (SELECT Id FROM devices WHERE ApplicationId = 'default' LIMIT 10001)"
times = []
for _ in range(int(sys.argv[2])):
    s = time.perf_counter(); c.execute(q1).fetchall(); c.execute(q2).fetchall(); times.append((time.perf_counter() - s) * 1000)
times.sort()
print(f"{times[len(times) // 2]:.2f} ms p50")
PY
)
echo "devices: $devices, repeats: $repeats (after 3 warm-ups), rows rendered: $rows"
echo "GET /         (home, same shell):          $home"
echo "GET /devices  (first page of 50 + count):  $list"
echo "raw SQL, first page + bounded count:        $sql"
