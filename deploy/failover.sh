#!/usr/bin/env bash
# Failover under load, on the cluster of deploy/up.sh: sign-ins, registrations and refresh-token
# grants run through HAProxy while the PostgreSQL primary is killed with `kill -9` (Patroni
# promotes the synchronous replica) and later one dvcid node is killed the same way. Reports the
# unavailability window of each, the status codes seen (only successes and 503 pass), whether
# every acknowledged write is still there, and whether a sign-in begun on the killed node is
# finished on another (bench/failover). Afterwards deploy/up.sh starts the killed node again.
#
# Usage: deploy/failover.sh                 run it (the cluster must be up)
#        deploy/failover.sh kill-primary    kill -9 the primary's PostgreSQL (postmaster)
#        deploy/failover.sh kill-node N     kill -9 dvcid node N
# Settings (environment): DEPLOY_STATE and DVCID as for up.sh; DURATION=60 load seconds; PRIMARY_AT=15
# and NODE_AT=35 seconds into the load; SIGNIN_USERS=2 FAMILIES=8 REGISTRATIONS=100.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=deploy/ports.sh
source deploy/ports.sh
state=${DEPLOY_STATE:-/tmp/dvcid-cluster}

# The member Patroni has as leader, from any Patroni that answers.
leader() {
  for index in 1 2 3; do
    curl -fsS --max-time 2 "http://${patroni_addrs[index]}/cluster" 2>/dev/null |
      python3 -c 'import json,sys; print(next(m["name"] for m in json.load(sys.stdin)["members"] if m["role"] == "leader"))' \
      2>/dev/null && return 0
  done
  echo "deploy/failover.sh: no Patroni knows a leader" >&2
  return 1
}

kill_primary() {
  local name pid
  name=$(leader)
  pid=$(head -n 1 "$state/pg/$name/data/postmaster.pid")
  kill -9 "$pid"
  echo "killed PostgreSQL $pid, the primary $name"
}

kill_node() {
  local index=$1 pid
  pid=$(cat "$state/pids/node$index.pid")
  kill -9 "$pid"
  echo "killed dvcid node $index ($pid, ${node_addrs[index]})"
}

case ${1:-run} in
  kill-primary) kill_primary; exit ;;
  kill-node) kill_node "${2:?which node}"; exit ;;
  run) ;;
  *) echo "usage: deploy/failover.sh [kill-primary | kill-node N]" >&2; exit 2 ;;
esac

[ -f "$state/dvcid/dvcid.toml" ] || { echo "deploy/failover.sh: no cluster at $state; run deploy/up.sh" >&2; exit 1; }
if [ -z "${DVCID:-}" ]; then
  cargo build --release -p dvcid
  DVCID=target/release/dvcid
fi
dvcid=$DVCID
cargo build --release -p bench-failover
redirect_uri=https://failover.example/callback
client_id=failover-$(date +%s)
client=$("$dvcid" client add --config "$state/dvcid/dvcid.toml" --id "$client_id" \
  --name "Failover check" --redirect-uri "$redirect_uri" \
  --grant authorization_code --grant refresh_token \
  --auth-method client_secret_basic --json)

echo "before: $(leader) is the primary" >&2
status=0
target/release/bench-failover \
  --server "https://$https_addr" --ca-cert "$state/ca.crt" --sandbox "http://$sandbox_addr" \
  --node "http://${node_addrs[1]}" \
  --client-id "$client_id" --client-secret "$(jq -er .client_secret <<<"$client")" \
  --redirect-uri "$redirect_uri" --password "$deploy_password" \
  --signin-users "${SIGNIN_USERS:-2}" --families "${FAMILIES:-8}" \
  --registrations "${REGISTRATIONS:-100}" --duration-secs "${DURATION:-60}" \
  --step "${PRIMARY_AT:-15}=deploy/failover.sh kill-primary" \
  --step "${NODE_AT:-35}=deploy/failover.sh kill-node 1" || status=$?
echo "after: $(leader) is the primary" >&2
"$state/venv/bin/patronictl" -c "$state/pg/pg1/patroni.yml" list >&2 || true
DVCID=$dvcid deploy/up.sh >/dev/null
exit "$status"
