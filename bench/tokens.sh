#!/usr/bin/env bash
# Token-endpoint throughput: client_credentials and refresh_token grants per second per core,
# against `dvcid serve` (SQLite, PostgreSQL) and node-oidc-provider (PostgreSQL, durable
# adapter) in the same run, each server pinned to one core.
# Usage: bench/tokens.sh [TARGET…]      (default: all of them, interleaved in each run)
#   TARGET: dvcid-sqlite-ES256 dvcid-postgres-ES256 dvcid-postgres-RS256
#           node-postgres-ES256 node-postgres-RS256      (or: all, dvcid, node)
#
# Settings (environment):
#   RUNS=1            runs, each on fresh databases and servers
#   USERS=16          concurrent virtual users (each holds one refresh-token family)
#   WARMUP=5          warm-up seconds per grant    DURATION=30   measured seconds per grant
#   PG_URL=postgres://postgres@127.0.0.1:5432/postgres   (a database tokens_bench_<random> is
#                     created there per target and dropped at the end)
#   PORT_BASE=18590   sandbox HTTP, sandbox SMTP, dvcid and node listen on PORT_BASE … +3
#   PG_SSLMODE=disable  TLS to PostgreSQL for both servers (dvcid's URL gets ?sslmode=…, node's
#                     pool ssl without verification unless disable); sqlx's own default is
#                     prefer, which uses TLS even over loopback when the server offers it
#   NODE_POOL=16      node-oidc-provider's PostgreSQL pool (dvcid's is its default, 16)
#   NODE_ACCESS_TOKEN_FORMAT=jwt   or opaque (stored: one more durable write per grant)
#   NOTE=""           free text kept in each report
#   NO_BUILD=1        use the binaries already in target/release (say which commit built them)
# Any DVCID_… variable reaches dvcid serve (e.g. DVCID_DATABASE__MAX_CONNECTIONS=4).
# Reports: bench/results/tokens-<date>/tokens-<target>-<date>.json, then a summary of them.
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(dvcid-sqlite-ES256 dvcid-postgres-ES256 dvcid-postgres-RS256
  node-postgres-ES256 node-postgres-RS256)
targets=()
for arg in "${@:-all}"; do
  case $arg in
    all) targets+=("${all_targets[@]}") ;;
    dvcid) targets+=(dvcid-sqlite-ES256 dvcid-postgres-ES256 dvcid-postgres-RS256) ;;
    node) targets+=(node-postgres-ES256 node-postgres-RS256) ;;
    dvcid-sqlite-ES256 | dvcid-sqlite-RS256 | dvcid-postgres-ES256 | dvcid-postgres-RS256 | \
      node-postgres-ES256 | node-postgres-RS256) targets+=("$arg") ;;
    *) echo "usage: bench/tokens.sh [all|dvcid|node|TARGET…]; targets: ${all_targets[*]}" >&2
      exit 2 ;;
  esac
done
runs=${RUNS:-1}
users=${USERS:-16}
warmup=${WARMUP:-5}
duration=${DURATION:-30}
pg_url=${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
port_base=${PORT_BASE:-18590}
pg_sslmode=${PG_SSLMODE:-disable}
node_pool=${NODE_POOL:-16}
node_format=${NODE_ACCESS_TOKEN_FORMAT:-jwt}
sandbox_addr=127.0.0.1:$port_base
smtp_addr=127.0.0.1:$((port_base + 1))
dvcid_addr=127.0.0.1:$((port_base + 2))
node_addr=127.0.0.1:$((port_base + 3))
redirect_uri=http://127.0.0.1/bench/callback
node_dir=bench/node-oidc-provider

wants_dvcid='' wants_node=''
for target in "${targets[@]}"; do
  case $target in dvcid-*) wants_dvcid=1 ;; node-*) wants_node=1 ;; esac
done

if [ -n "$wants_dvcid" ]; then
  [ "${NO_BUILD:-}" = 1 ] || cargo build --release -p dvcid -p bench-tokens
else
  cargo build --release -p bench-tokens
fi
dvcid=target/release/dvcid
generator=target/release/bench-tokens
commit=$(git rev-parse --short HEAD)
git diff --quiet HEAD -- crates Cargo.lock 2>/dev/null || commit="$commit+uncommitted"

if [ -n "$wants_dvcid" ] && ! "$dvcid" client --help >/dev/null 2>&1; then
  echo "bench/tokens.sh: this dvcid has no \`client\` command (the OpenID provider has not" \
    "landed in this build); run \`bench/tokens.sh node\` for node-oidc-provider alone" >&2
  exit 1
fi
if [ -n "$wants_node" ]; then
  if [ ! -d "$node_dir/node_modules/oidc-provider" ]; then
    npm ci --prefix "$node_dir" --no-audit --no-fund
  fi
  node_version=$(node -p "require('./$node_dir/node_modules/oidc-provider/package.json').version")
fi

results=bench/results/tokens-$(date -u +%Y%m%dT%H%M%SZ)
work=$(mktemp -d)
sandbox_pid='' server_pid='' pinner_pid='' pg_db='' db_url=''

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

for addr in "$sandbox_addr" "$dvcid_addr" "$node_addr"; do
  if curl -s -o /dev/null "http://$addr/"; then
    echo "bench/tokens.sh: something already listens on $addr; set PORT_BASE" >&2
    exit 1
  fi
done

# dvcid's configuration (bench/lib.sh) for DATABASE_URL, signing access tokens with ALG.
write_dvcid_config() {
  write_serve_config "$1" "$dvcid_addr" "[oidc]
access_token_alg = \"$2\""
}

# PostgreSQL's backends serving the benchmark database go to core 1 with the load generator,
# so that core 0 does only the server's work (connections open lazily: re-pinned each second).
# Sets pg_db (dropped by cleanup, its backends pinned) and db_url; not in a subshell.
new_database() {
  pg_db=tokens_bench_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
  psql "$pg_url" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE $pg_db" >/dev/null
  db_url="${pg_url%/*}/$pg_db?sslmode=$pg_sslmode"
}

# Runs the load generator against the server on ORIGIN (pid $server_pid); extra flags follow.
generate() {
  local target=$1 origin=$2 store=$3 alg=$4 name=$5
  shift 5
  echo "=== $target: load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  taskset -c 1 "$generator" run \
    --server "$origin" --server-pid "$server_pid" --server-core 0 \
    --target "$target" --server-name "$name" --store "$store" --alg "$alg" \
    --users "$users" --warmup-secs "$warmup" --duration-secs "$duration" \
    --redirect-uri "$redirect_uri" \
    --clock-ticks "$(getconf CLK_TCK)" --out "$results" \
    --note "commit=$commit users=$users ${NOTE:-}" "$@"
}

run_dvcid() {
  local target=$1 store=$2 alg=$3 url client
  taskset -c 1 "$dvcid" sandbox --listen "$sandbox_addr" --smtp-listen "$smtp_addr" \
    --people 1000 >"$work/sandbox.log" 2>&1 &
  sandbox_pid=$!
  wait_for "http://$sandbox_addr/sandbox/people?limit=1"
  if [ "$store" = postgres ]; then
    new_database
    url=$db_url
  else
    rm -f "$work"/dvcid.sqlite3*
    url=sqlite://$work/dvcid.sqlite3
  fi
  write_dvcid_config "$url" "$alg"

  taskset -c 0 "$dvcid" serve --config "$work/dvcid.toml" >"$work/serve.log" 2>&1 &
  server_pid=$!
  wait_for "http://$dvcid_addr/readyz"
  client=$("$dvcid" client add --config "$work/dvcid.toml" --id "bench-$alg" \
    --name "Token benchmark" --redirect-uri "$redirect_uri" \
    --grant client_credentials --grant authorization_code --grant refresh_token \
    --auth-method client_secret_basic --signing-alg "$alg" --json 2>"$work/client.log")
  local pg=()
  if [ "$store" = postgres ]; then
    pin_postgres_backends &
    pinner_pid=$!
    pg=(--pg-url "$url")
  fi
  generate "$target" "http://$dvcid_addr" "$store" "$alg" "dvcid $commit" \
    --client-id "bench-$alg" --client-secret "$(jq -er .client_secret <<<"$client")" \
    --sandbox "http://$sandbox_addr" "${pg[@]}"

  stop "$pinner_pid"; pinner_pid=''
  stop "$server_pid"; server_pid=''
  stop "$sandbox_pid"; sandbox_pid=''
  drop_database
}

run_node() {
  local target=$1 alg=$2 url secret
  new_database
  url=$db_url
  secret=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
  PORT=${node_addr##*:} DATABASE_URL=${url%%\?*} POOL_SIZE=$node_pool ALG=$alg \
    PG_SSL=$([ "$pg_sslmode" = disable ] && echo 0 || echo 1) \
    ACCESS_TOKEN_FORMAT=$node_format CLIENT_ID=bench-node CLIENT_SECRET=$secret \
    REDIRECT_URI=$redirect_uri NODE_ENV=production \
    taskset -c 0 node "$node_dir/provider.js" >"$work/node.log" 2>&1 &
  server_pid=$!
  wait_for "http://$node_addr/.well-known/openid-configuration"
  pin_postgres_backends &
  pinner_pid=$!
  local expect=$alg
  [ "$node_format" = jwt ] || expect=any
  generate "$target" "http://$node_addr" postgres "$expect" \
    "node-oidc-provider $node_version ($node_format access tokens, node $(node --version))" \
    --client-id bench-node --client-secret "$secret" --pg-url "$url"

  stop "$pinner_pid"; pinner_pid=''
  stop "$server_pid"; server_pid=''
  drop_database
}

for _ in $(seq "$runs"); do
  for target in "${targets[@]}"; do
    IFS=- read -r server store alg <<<"$target"
    case $server in
      dvcid) run_dvcid "$target" "$store" "$alg" ;;
      node) run_node "$target" "$alg" ;;
    esac
  done
done
"$generator" summary "$results"/*.json
