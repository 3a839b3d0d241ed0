# What the benchmark scripts share: stopping what they started, dropping their PostgreSQL
# database and removing their work folder on exit (printing the logs' last lines on failure),
# and waiting for a server to answer. Sourced after the script has set `work`, `pg_url` and
# the `*_pid` and `pg_db` variables (empty until used). KEEP_WORK=1 keeps the work folder
# (configuration, logs, SQLite database) and prints where it is.

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

# Waits up to 60 s for URL to answer 200.
wait_for() {
  for _ in $(seq 600); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "$(basename "$0"): $1 did not answer" >&2
  return 1
}

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

random_secret() { head -c 48 /dev/urandom | base64 | tr -d '\n'; }

# Writes `$work/dvcid.toml` for `dvcid serve` on DATABASE_URL at ADDR, with the sandbox at
# `$sandbox_addr`/`$smtp_addr`, fresh secrets, and the limits raised that one address and a
# few accounts signing in hundreds of times a minute would hit (bench/README.md says why):
# the daily SMS cap per phone and the sign-in throttles. EXTRA (TOML) is appended.
write_serve_config() {
  local database_url=$1 addr=$2 extra=${3:-}
  cat >"$work/dvcid.toml" <<EOF
database_url = "$database_url"
listen = "$addr"
public_base_url = "http://$addr"

[log]
format = "json"

[secrets]
otp_key = "$(random_secret)"
key_encryption_key = "$(random_secret)"

[connectors.population]
base_url = "http://$sandbox_addr/sandbox/population/"
[connectors.subscribers]
base_url = "http://$sandbox_addr/sandbox/subscribers/"
[connectors.bhxh]
base_url = "http://$sandbox_addr/sandbox/bhxh/"
[connectors.sms]
base_url = "http://$sandbox_addr/sandbox/sms/"
[connectors.smtp]
host = "127.0.0.1"
port = ${smtp_addr##*:}
from = "no-reply@dichvucong.gov.vn"
starttls = false

[flows.otp]
max_sms_per_phone_per_day = 1000000000
max_anonymous_sms_per_address_per_day = 1000000000

[flows.throttle]
captcha_after_per_account = 1000000000
block_after_per_account = 1000000000
captcha_after_per_address = 1000000000
block_after_per_address = 1000000000

$extra
EOF
}
