#!/usr/bin/env bash
# Complete sign-ins (password, SMS OTP read from the sandbox outbox, session, account page)
# against `dvcid serve` pinned to one core, compared with the Argon2id hash rate of that core.
# Usage: bench/signin.sh [sqlite|postgres|both]          (default: both)
#
# Settings (environment):
#   RUNS=1            runs per backend, each on a fresh database, sandbox and server
#   USERS=4           concurrent virtual users           ACCOUNTS=64   accounts registered
#   WARMUP=5          warm-up seconds                    DURATION=30   measured seconds
#   HASH_SECS=5       each hash-rate measurement (one before the load, one after; each
#                     times the server's way of hashing and argon2's verify_password)
#   ARGON2_MEMORY_KIB=19456 ARGON2_ITERATIONS=2 ARGON2_PARALLELISM=1 ARGON2_MAX_CONCURRENT=1
#   PG_URL=postgres://postgres@127.0.0.1:5432/postgres   (a database dvcid_bench_<random> is
#                     created there and dropped at the end)
#   PORT_BASE=18490   sandbox HTTP, sandbox SMTP and dvcid listen on PORT_BASE, +1, +2
#   NOTE=""           free text kept in each report
#   NO_BUILD=1        use the binaries already in target/release (say which commit built them)
# Any DVCID_… variable reaches the server too (e.g. DVCID_DATABASE__MAX_CONNECTIONS=4), except
# the Argon2 cost, which the load generator must know: set ARGON2_* instead.
# Reports: bench/results/signin-<date>/signin-<backend>-<date>.json, then a summary of them.
set -euo pipefail
cd "$(dirname "$0")/.."

which=${1:-both}
case $which in
  sqlite) backends=(sqlite) ;;
  postgres) backends=(postgres) ;;
  both) backends=(sqlite postgres) ;;
  *) echo "usage: bench/signin.sh [sqlite|postgres|both]" >&2; exit 2 ;;
esac
runs=${RUNS:-1}
users=${USERS:-4}
accounts=${ACCOUNTS:-64}
warmup=${WARMUP:-5}
duration=${DURATION:-30}
hash_secs=${HASH_SECS:-5}
memory_kib=${ARGON2_MEMORY_KIB:-19456}
iterations=${ARGON2_ITERATIONS:-2}
parallelism=${ARGON2_PARALLELISM:-1}
max_concurrent=${ARGON2_MAX_CONCURRENT:-1}
pg_url=${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
port_base=${PORT_BASE:-18490}
sandbox_addr=127.0.0.1:$port_base
smtp_addr=127.0.0.1:$((port_base + 1))
server_addr=127.0.0.1:$((port_base + 2))

[ "${NO_BUILD:-}" = 1 ] || cargo build --release -p dvcid -p bench-signin
dvcid=target/release/dvcid
generator=target/release/bench-signin
results=bench/results/signin-$(date -u +%Y%m%dT%H%M%SZ)
work=$(mktemp -d)
sandbox_pid='' server_pid='' pinner_pid='' pg_db=''

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

for addr in "$sandbox_addr" "$server_addr"; do
  if curl -s -o /dev/null "http://$addr/"; then
    echo "bench/signin.sh: something already listens on $addr; set PORT_BASE" >&2
    exit 1
  fi
done

# The serve configuration (bench/lib.sh), with the Argon2 cost of this run.
write_config() {
  write_serve_config "$1" "$server_addr" "[flows.argon2]
memory_kib = $memory_kib
iterations = $iterations
parallelism = $parallelism
max_concurrent = $max_concurrent"
}

run_one() {
  local backend=$1 url
  start_sandbox
  fresh_database "$backend" dvcid_bench
  write_config "$url"
  start_server
  echo "=== $backend: load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  taskset -c 1 "$generator" run \
    --server "http://$server_addr" --sandbox "http://$sandbox_addr" \
    --server-pid "$server_pid" --server-core 0 --backend "$backend" \
    --accounts "$accounts" --users "$users" \
    --warmup-secs "$warmup" --duration-secs "$duration" --hash-secs "$hash_secs" \
    --argon2-memory-kib "$memory_kib" --argon2-iterations "$iterations" \
    --argon2-parallelism "$parallelism" \
    --clock-ticks "$(getconf CLK_TCK)" --out "$results" \
    --note "users=$users max_concurrent=$max_concurrent ${NOTE:-}"

  stop "$pinner_pid"; pinner_pid=''
  stop "$server_pid"; server_pid=''
  stop "$sandbox_pid"; sandbox_pid=''
  drop_database
}

for _ in $(seq "$runs"); do
  for backend in "${backends[@]}"; do
    run_one "$backend"
  done
done
"$generator" summary "$results"/*.json
