# What the benchmark scripts share: stopping what they started, dropping their PostgreSQL
# database and removing their work folder on exit (printing the logs' last lines on failure),
# and pinning PostgreSQL's backends; bench/serve.sh (sourced here) waits for a server and writes
# its configuration. Sourced after the script has set `work`, `pg_url` and the `*_pid` and
# `pg_db` variables (empty until used). KEEP_WORK=1 keeps the work folder (configuration,
# logs, SQLite database) and prints where it is.

# shellcheck source=bench/serve.sh
source "$(dirname "${BASH_SOURCE[0]}")/serve.sh"

stop() {
  local pid=$1
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
}

drop_database() {
  if [ -n "$pg_db" ]; then
    psql "$pg_url" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null || true
    pg_db=''
  fi
}

cleanup() {
  local status=$?
  stop "$pinner_pid"
  stop "$server_pid"
  stop "$sandbox_pid"
  drop_database
  if [ "$status" -ne 0 ]; then
    for log in "$work"/*.log; do
      [ -f "$log" ] && { echo "--- last lines of $log"; tail -n 20 "$log"; } >&2
    done
  fi
  [ -n "${KEEP_WORK:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# PostgreSQL's backends serving the benchmark database `$pg_db` go to core 1 with the load
# generator, so that core 0 does only the server's work (connections open lazily: re-pinned
# each second). Run in the background.
pin_postgres_backends() {
  while true; do
    for pid in $(psql "$pg_url" -Atc \
      "SELECT pid FROM pg_stat_activity WHERE datname = '$pg_db'" 2>/dev/null); do
      taskset -pc 1 "$pid" >/dev/null 2>&1 || true
    done
    sleep 1
  done
}

# Starts `$dvcid sandbox` with PEOPLE (default 1,000) people on core 1 at
# `$sandbox_addr`/`$smtp_addr` and waits for it.
start_sandbox() {
  local people=${1:-1000}
  taskset -c 1 "$dvcid" sandbox --listen "$sandbox_addr" --smtp-listen "$smtp_addr" \
    --people "$people" >"$work/sandbox.log" 2>&1 &
  sandbox_pid=$!
  wait_for "http://$sandbox_addr/sandbox/people?limit=1"
}

# Sets `url` to a fresh database of BACKEND: a PostgreSQL database PREFIX_<random> on `$pg_url`
# (dropped by `cleanup`), or an empty SQLite file in the work folder.
fresh_database() {
  local backend=$1 prefix=$2
  if [ "$backend" = postgres ]; then
    pg_db=${prefix}_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
    psql "$pg_url" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE $pg_db" >/dev/null
    url=${pg_url%/*}/$pg_db
  else
    rm -f "$work"/dvcid.sqlite3*
    url=sqlite://$work/dvcid.sqlite3
  fi
}

# Starts `$dvcid serve` on core 0 from `$work/dvcid.toml`, waits until it is ready, and pins a
# PostgreSQL database's backends to core 1.
start_server() {
  taskset -c 0 "$dvcid" serve --config "$work/dvcid.toml" >"$work/serve.log" 2>&1 &
  server_pid=$!
  wait_for "http://$server_addr/readyz"
  if [ -n "$pg_db" ]; then
    pin_postgres_backends &
    pinner_pid=$!
  fi
}
