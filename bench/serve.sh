# Starting `dvcid serve` for a benchmark or a deployment (deploy/up.sh): waiting for it to
# answer and writing its configuration. Sourced; sets nothing on its own.

# Waits up to 60 s for URL to answer 200.
wait_for() {
  for _ in $(seq 600); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "$(basename "$0"): $1 did not answer" >&2
  return 1
}

random_secret() { head -c 48 /dev/urandom | base64 | tr -d '\n'; }

# Writes `$work/dvcid.toml` for `dvcid serve` on DATABASE_URL at ADDR, with the sandbox at
# `$sandbox_addr`/`$smtp_addr`, fresh secrets, and the limits raised that one address and a
# few accounts signing in hundreds of times a minute would hit (bench/README.md says why):
# the daily SMS cap per phone and the sign-in throttles. EXTRA (TOML) is appended; PUBLIC is
# the origin people use (default http://ADDR; a node behind a proxy has the proxy's).
write_serve_config() {
  local database_url=$1 addr=$2 extra=${3:-} public=${4:-http://$2}
  cat >"$work/dvcid.toml" <<EOF
database_url = "$database_url"
listen = "$addr"
public_base_url = "$public"

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
