#!/usr/bin/env bash
# Complete sign-ins per second through HAProxy with one dvcid node and with three, side by
# side on the cluster of deploy/up.sh (bench-signin against the HTTPS front; the nodes, the
# three PostgreSQL and the load generator share this machine's cores). Nodes are switched in
# and out of HAProxy's backend through its admin socket.
# Usage: deploy/scale.sh     Settings: RUNS=1 USERS=6 ACCOUNTS=64 WARMUP=5 DURATION=30
# Reports: bench/results/scale-<date>/, then a summary of them.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=deploy/ports.sh
source deploy/ports.sh
state=${DEPLOY_STATE:-/tmp/dvcid-cluster}
[ -S "$state/haproxy/admin.sock" ] || { echo "deploy/scale.sh: no cluster at $state; run deploy/up.sh" >&2; exit 1; }
cargo build --release -p bench-signin
results=bench/results/scale-$(date -u +%Y%m%dT%H%M%SZ)

# Serves the first COUNT nodes, takes the others out.
serve_nodes() {
  local count=$1 index
  for index in 1 2 3; do
    if [ "$index" -le "$count" ]; then
      echo "enable server dvcid/node$index"
    else
      echo "disable server dvcid/node$index"
    fi | socat - "UNIX-CONNECT:$state/haproxy/admin.sock" >/dev/null
  done
  sleep 2
}

for _ in $(seq "${RUNS:-1}"); do
  for count in 1 3; do
    serve_nodes "$count"
    echo "=== $count node(s): load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
    target/release/bench-signin run \
      --server "https://$https_addr" --ca-cert "$state/ca.crt" --sandbox "http://$sandbox_addr" \
      --server-pid "$(cat "$state/pids/node1.pid")" --server-core 0 \
      --backend "postgres-haproxy-${count}-nodes" --password "$deploy_password" \
      --accounts "${ACCOUNTS:-64}" --users "${USERS:-6}" \
      --warmup-secs "${WARMUP:-5}" --duration-secs "${DURATION:-30}" --hash-secs 2 \
      --clock-ticks "$(getconf CLK_TCK)" --out "$results" --note "nodes=$count"
  done
done
serve_nodes 3
target/release/bench-signin summary "$results"/*.json
