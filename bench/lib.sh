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
