# What the benchmark scripts share: stopping what they started, dropping their PostgreSQL
# database and removing their work folder on exit (printing the logs' last lines on failure),
# and waiting for a server to answer. Sourced after the script has set `work`, `pg_url` and
# the `*_pid` and `pg_db` variables (empty until used).

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
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits up to 60 s for URL to answer 200.
wait_for() {
  for _ in $(seq 600); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "$(basename "$0"): $1 did not answer" >&2
  return 1
}
