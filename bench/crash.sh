#!/usr/bin/env bash
# Crash safety proven by kill -9 (bench/crash/README.md): bench-crash runs registrations,
# sign-ins, refresh-token rotations and password changes against `dvcid serve`, kills it with
# SIGKILL at random points, and after each crash checks the database while the server is down
# (SQLite's integrity, refresh-token families, counters, the audit chain), restarts it on the
# same database and checks that every acknowledged write is still honoured.
# Usage: bench/crash.sh [sqlite|postgres|both]          (default: both)
#
# Settings (environment):
#   ITERATIONS=100    crashes per backend
#   SEED=…            the seed a run printed: replays its kill points
#   PROFILE=debug     or release: the build of dvcid the crashes run on
#   PG_URL=postgres://postgres@127.0.0.1:5432/postgres   (a database dvcid_crash_<random> is
#                     created there and dropped at the end)
#   PORT_BASE=18690   sandbox HTTP, sandbox SMTP and dvcid listen on PORT_BASE, +1, +2
#   KEEP_WORK=1       keep the work folder (configuration, server log, SQLite database)
# Any DVCID_… variable reaches the server too. Exits non-zero, naming each violation, when a
# crash loses an acknowledged write or breaks any other rule.
set -euo pipefail
cd "$(dirname "$0")/.."

which=${1:-both}
case $which in
  sqlite) backends=(sqlite) ;;
  postgres) backends=(postgres) ;;
  both) backends=(sqlite postgres) ;;
  *) echo "usage: bench/crash.sh [sqlite|postgres|both]" >&2; exit 2 ;;
esac
iterations=${ITERATIONS:-100}
profile=${PROFILE:-debug}
pg_url=${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
port_base=${PORT_BASE:-18690}
sandbox_addr=127.0.0.1:$port_base
smtp_addr=127.0.0.1:$((port_base + 1))
server_addr=127.0.0.1:$((port_base + 2))

case $profile in
  debug) cargo build --locked -p dvcid -p bench-crash ;;
  release) cargo build --locked --release -p dvcid -p bench-crash ;;
  *) echo "bench/crash.sh: PROFILE is debug or release, not $profile" >&2; exit 2 ;;
esac
bin=${CARGO_TARGET_DIR:-target}/$profile
dvcid=$bin/dvcid
work=$(mktemp -d)
sandbox_pid='' server_pid='' pinner_pid='' pg_db=''

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

for addr in "$sandbox_addr" "$server_addr"; do
  if curl -s -o /dev/null "http://$addr/"; then
    echo "bench/crash.sh: something already listens on $addr; set PORT_BASE" >&2
    exit 1
  fi
done

start_sandbox 5000

for backend in "${backends[@]}"; do
  fresh_database "$backend" dvcid_crash
  # Hashing cost is not what is tested here: a low one leaves more writes between the kills.
  write_serve_config "$url" "$server_addr" "[flows.argon2]
memory_kib = 1024
iterations = 1"
  "$bin/bench-crash" --dvcid "$dvcid" --config "$work/dvcid.toml" --database-url "$url" \
    --server "http://$server_addr" --sandbox "http://$sandbox_addr" --log "$work/serve.log" \
    --iterations "$iterations" ${SEED:+--seed "$SEED"}
  drop_database
done
