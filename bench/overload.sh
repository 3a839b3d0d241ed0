#!/usr/bin/env bash
# Admission control under overload: a crowd of people signing in (far more than one hashing
# thread serves) beside bystanders asking for tokens, a static asset and the discovery
# document, against `dvcid serve` pinned to one core. Fails if any answer is a server error
# other than 503 with Retry-After.
# Usage: bench/overload.sh [sqlite|postgres]          (default: sqlite)
#
# Settings (environment):
#   CROWD=64 ACCOUNTS=64 BYSTANDERS=2 BASELINE=10 DURATION=30
#   ARGON2_MAX_CONCURRENT=1 ARGON2_MAX_WAITING=16   the node's hashing threads and waiting line
#   PG_URL=postgres://postgres@127.0.0.1:5432/postgres   PORT_BASE=18590
#   NO_BUILD=1        use the binaries already in target/release (say which commit built them)
set -euo pipefail
cd "$(dirname "$0")/.."

backend=${1:-sqlite}
crowd=${CROWD:-64}
accounts=${ACCOUNTS:-64}
bystanders=${BYSTANDERS:-2}
baseline=${BASELINE:-10}
duration=${DURATION:-30}
max_concurrent=${ARGON2_MAX_CONCURRENT:-1}
max_waiting=${ARGON2_MAX_WAITING:-16}
pg_url=${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
port_base=${PORT_BASE:-18590}
sandbox_addr=127.0.0.1:$port_base
smtp_addr=127.0.0.1:$((port_base + 1))
server_addr=127.0.0.1:$((port_base + 2))

[ "${NO_BUILD:-}" = 1 ] || cargo build --release -p dvcid -p bench-signin
dvcid=target/release/dvcid
generator=target/release/bench-signin
work=$(mktemp -d)
sandbox_pid='' server_pid='' pinner_pid='' pg_db=''

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

case $backend in
  postgres | sqlite) ;;
  *) echo "usage: bench/overload.sh [sqlite|postgres]" >&2; exit 2 ;;
esac
start_sandbox
fresh_database "$backend" dvcid_overload
write_serve_config "$url" "$server_addr" "[flows.argon2]
max_concurrent = $max_concurrent
max_waiting = $max_waiting"

start_server
client=$("$dvcid" client add --config "$work/dvcid.toml" --id bench-overload \
  --name "Overload benchmark" --grant client_credentials --auth-method client_secret_basic --json 2>"$work/client.log")

echo "=== $backend: crowd $crowd, max_concurrent $max_concurrent, max_waiting $max_waiting; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
taskset -c 1 "$generator" overload \
  --server "http://$server_addr" --sandbox "http://$sandbox_addr" \
  --accounts "$accounts" --crowd "$crowd" --bystanders "$bystanders" \
  --baseline-secs "$baseline" --duration-secs "$duration" \
  --client-id bench-overload --client-secret "$(jq -er .client_secret <<<"$client")"
