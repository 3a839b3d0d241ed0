#!/usr/bin/env bash
# Measures `dvcid demo` on an existing data folder: time from exec to the first 200 on /readyz,
# and resident memory at rest after it has served a few requests. Prints the median of RUNS.
# Usage: bench/demo-startup.sh [RUNS]   (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
cargo build --release -p dvcid >/dev/null
bin=target/release/dvcid
data=$(mktemp -d)
port=18480
trap 'rm -rf "$data"' EXIT

start() {
  "$bin" demo --data "$data" --listen "127.0.0.1:$port" >/dev/null 2>&1 &
  pid=$!
}

wait_ready() {
  until curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.005; done
}

# First run creates the folder, the database and the demo secrets.
start; wait_ready; kill "$pid"; wait "$pid" 2>/dev/null || true

ready_ms=(); rss_kb=()
for _ in $(seq "$runs"); do
  t0=$(date +%s%N)
  start; wait_ready
  t1=$(date +%s%N)
  ready_ms+=($(( (t1 - t0) / 1000000 )))
  for path in / /healthz /readyz /metrics /sandbox/people /sandbox/sms; do
    curl -fsS "http://127.0.0.1:$port$path" >/dev/null
  done
  sleep 2
  rss_kb+=($(awk '/^VmRSS/ {print $2}' "/proc/$pid/status"))
  kill "$pid"; wait "$pid" 2>/dev/null || true
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "runs: $runs"
echo "ready after start (ms): ${ready_ms[*]}  median $(median "${ready_ms[@]}")"
echo "RSS at rest (KiB):      ${rss_kb[*]}  median $(median "${rss_kb[@]}")"
