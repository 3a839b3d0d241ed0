#!/usr/bin/env bash
# Sign-in and refresh-grant latency as the account table grows: one database seeded by
# `dvcid seed` up to each size in turn (10 thousand, 1 million, 10 million accounts), and at
# each size complete sign-ins (bench-signin) as accounts spread over all those seeded, then
# refresh-token grants (bench-tokens) of sessions of such accounts, against a fresh
# `dvcid serve` pinned to core 0. At the last size it writes EXPLAIN (ANALYZE, BUFFERS) of the
# hot queries (PostgreSQL). Too big for CI; bench/README.md has the figures.
# Usage: bench/scale.sh [postgres|sqlite]          (default: postgres)
#
# Settings (environment):
#   SIZES="10000 1000000 10000000"   account counts, increasing
#   SAMPLE=2000       accounts the sign-ins go through, spread over the seeded range
#   USERS=4           sign-in virtual users               TOKEN_USERS=16  refresh users
#   WARMUP=5 DURATION=30 HASH_SECS=2                      (as in bench/signin.sh)
#   PG_URL=postgres://postgres@127.0.0.1:5432/postgres   (a database dvcid_scale_<random> is
#                     created there and dropped at the end)
#   PORT_BASE=18690   sandbox HTTP, sandbox SMTP and dvcid listen on PORT_BASE, +1, +2
#   KEEP=1            keep the database (its URL is printed) instead of dropping it
#   PROFILE=release   or dev: the debug build (dependencies at opt-level 1), when a release
#                     build is out of reach; latencies are higher, their ratios still hold
# Reports: bench/results/scale-<date>/ (JSON of each run, explain.txt, table.md).
set -euo pipefail
cd "$(dirname "$0")/.."

backend=${1:-postgres}
case $backend in
  postgres | sqlite) ;;
  *) echo "usage: bench/scale.sh [postgres|sqlite]" >&2; exit 2 ;;
esac
read -r -a sizes <<<"${SIZES:-10000 1000000 10000000}"
sample=${SAMPLE:-2000}
users=${USERS:-4}
token_users=${TOKEN_USERS:-16}
warmup=${WARMUP:-5}
duration=${DURATION:-30}
hash_secs=${HASH_SECS:-2}
pg_url=${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
port_base=${PORT_BASE:-18690}
sandbox_addr=127.0.0.1:$port_base
smtp_addr=127.0.0.1:$((port_base + 1))
server_addr=127.0.0.1:$((port_base + 2))
password=Bench-scale-2026
redirect_uri=http://127.0.0.1/bench/callback

case ${PROFILE:-release} in
  release) cargo build --release -p dvcid -p bench-signin -p bench-tokens; bin=target/release ;;
  dev) cargo build -p dvcid -p bench-signin -p bench-tokens; bin=target/debug ;;
  *) echo "bench/scale.sh: PROFILE is release or dev" >&2; exit 2 ;;
esac
dvcid=$bin/dvcid
results=bench/results/scale-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$results"
work=$(mktemp -d)
sandbox_pid='' server_pid='' pinner_pid='' pg_db=''

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
if [ -n "${KEEP:-}" ]; then
  drop_database() { echo "kept: ${url:-}" >&2; }
fi

for addr in "$sandbox_addr" "$server_addr"; do
  if curl -s -o /dev/null "http://$addr/"; then
    echo "bench/scale.sh: something already listens on $addr; set PORT_BASE" >&2
    exit 1
  fi
done

fresh_database "$backend" dvcid_scale
write_serve_config "$url" "$server_addr"

# Statistics fresh after a bulk load, as autovacuum would make them in time.
analyze() {
  if [ "$backend" = postgres ]; then
    psql "$url" -qc "VACUUM ANALYZE" >/dev/null
  else
    sqlite3 "${url#sqlite://}" "ANALYZE"
  fi
}

measure() {
  local size=$1 client
  start_sandbox 20
  start_server
  echo "=== $backend, $size accounts: sign-ins; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  taskset -c 1 "$bin/bench-signin" run \
    --server "http://$server_addr" --sandbox "http://$sandbox_addr" \
    --server-pid "$server_pid" --server-core 0 --backend "$backend-$size" \
    --accounts-file "$work/sample.jsonl" --password "$password" --users "$users" \
    --warmup-secs "$warmup" --duration-secs "$duration" --hash-secs "$hash_secs" \
    --clock-ticks "$(getconf CLK_TCK)" --out "$results/signin-$size" \
    --note "scale: $size accounts seeded, $sample sampled"

  client=$("$dvcid" client add --config "$work/dvcid.toml" --id "bench-scale-$size" \
    --name "Scale benchmark" --redirect-uri "$redirect_uri" \
    --grant authorization_code --grant refresh_token \
    --auth-method client_secret_basic --json 2>"$work/client.log")
  local pg=()
  [ "$backend" = postgres ] && pg=(--pg-url "$url")
  echo "=== $backend, $size accounts: refresh grants; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  taskset -c 1 "$bin/bench-tokens" run \
    --server "http://$server_addr" --server-pid "$server_pid" --server-core 0 \
    --target "dvcid-$backend-$size" --server-name "dvcid" --store "$backend" --alg ES256 \
    --grants refresh-token --users "$token_users" \
    --warmup-secs "$warmup" --duration-secs "$duration" --redirect-uri "$redirect_uri" \
    --client-id "bench-scale-$size" --client-secret "$(jq -er .client_secret <<<"$client")" \
    --sandbox "http://$sandbox_addr" --accounts-file "$work/sample.jsonl" \
    --password "$password" "${pg[@]}" \
    --clock-ticks "$(getconf CLK_TCK)" --out "$results/tokens-$size" \
    --note "scale: $size accounts seeded"

  stop "$pinner_pid"; pinner_pid=''
  stop "$server_pid"; server_pid=''
  stop "$sandbox_pid"; sandbox_pid=''
}

seeded=0
for size in "${sizes[@]}"; do
  echo "=== seeding $seeded → $size accounts" >&2
  started=$(date +%s)
  "$dvcid" seed --database "$url" --from "$seeded" --accounts $((size - seeded)) \
    --password "$password" --sample-out "$work/sample.jsonl" --sample "$sample" \
    2>&1 | awk 'NR % 50 == 0 || !/^seeded /' >&2
  analyze
  echo "seeded $size accounts in $(($(date +%s) - started)) s" | tee -a "$results/seed.txt" >&2
  seeded=$size
  measure "$size"
done

if [ "$backend" = postgres ]; then
  bench/scale-explain.sh "$url" "$work/sample.jsonl" >"$results/explain.txt"
  psql "$url" -Atc "SELECT relname, n_live_tup, pg_size_pretty(pg_total_relation_size(relid)) \
    FROM pg_stat_user_tables ORDER BY pg_total_relation_size(relid) DESC LIMIT 8" \
    >>"$results/explain.txt"
fi

{
  echo "| accounts | sign-in p50 ms | sign-in p99 ms | sign-ins/s | refresh p50 ms | refresh p99 ms | refreshes/s |"
  echo "|---:|---:|---:|---:|---:|---:|---:|"
  for size in "${sizes[@]}"; do
    signin=$(cat "$results/signin-$size"/*.json)
    tokens=$(cat "$results/tokens-$size"/*.json)
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$size" \
      "$(jq -r '.latency.complete.p50_ms | . * 10 | round / 10' <<<"$signin")" \
      "$(jq -r '.latency.complete.p99_ms | . * 10 | round / 10' <<<"$signin")" \
      "$(jq -r '.signins_per_sec_per_core | . * 10 | round / 10' <<<"$signin")" \
      "$(jq -r '.grants[0].latency.p50_ms | . * 100 | round / 100' <<<"$tokens")" \
      "$(jq -r '.grants[0].latency.p99_ms | . * 100 | round / 100' <<<"$tokens")" \
      "$(jq -r '.grants[0].grants_per_sec_per_core | round' <<<"$tokens")"
  done
} | tee "$results/table.md"
