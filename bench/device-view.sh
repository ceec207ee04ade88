#!/usr/bin/env bash
# One device page open in headless chromium while its device (the Node SDK) streams 50 messages a second, with more
# people watching the same device: page updates per second, and the server's memory per open browser session.
# Runs the suite's DeviceViewLoadTests for longer and with more sessions, and prints its figures line.
#
#   bench/device-view.sh [seconds=30] [sessions=10]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}; sessions=${2:-10}
CENTRUM_VIEW_BENCH_SECONDS=$seconds CENTRUM_VIEW_BENCH_SESSIONS=$sessions \
  dotnet test tests/Centrum.IntegrationTests --filter "FullyQualifiedName~DeviceViewLoadTests" --logger "console;verbosity=detailed" \
  | grep -E "device-view:|Passed!|Failed!"
