#!/usr/bin/env bash
# Allocation benchmarks of the hot paths (BenchmarkDotNet, Release, in process, a short job): MQTT decode and encode,
# topic classification, the property bag, preparing a message for the telemetry writer, building an export message.
# Prints BenchmarkDotNet's table (mean, allocated per operation) and fails, naming the benchmark, when one allocates
# more than the budget declared beside it ([AllocationBudget] in bench/Centrum.MicroBench). Extra arguments go to
# BenchmarkDotNet, e.g. a subset:
#
#   bench/micro.sh [--filter '*Topic*']
#
# Reports land in bench/Centrum.MicroBench/BenchmarkDotNet.Artifacts/ (not committed).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 0 ] && set -- --filter '*'
dotnet build -c Release bench/Centrum.MicroBench -v quiet -nologo
cd bench/Centrum.MicroBench
exec dotnet bin/Release/net10.0/Centrum.MicroBench.dll "$@"
