#!/usr/bin/env bash
# Takes down what deploy/up.sh started, newest first, and removes its state folder.
# Usage: deploy/down.sh          (DEPLOY_STATE as for up.sh)
set -uo pipefail
state=${DEPLOY_STATE:-/tmp/dvcid-cluster}
[ -d "$state" ] || { echo "deploy/down.sh: nothing at $state"; exit 0; }

# Sends TERM to the process in pids/NAME.pid and waits up to 30 s for it to end.
stop() {
  local file=$state/pids/$1.pid pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null
    for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { echo "deploy/down.sh: $1 ($pid) ignored TERM; killing it" >&2; kill -9 "$pid"; }
  fi
  rm -f "$file"
}

for name in node1 node2 node3 sandbox haproxy pg1 pg2 pg3 etcd; do
  stop "$name"
done
# A PostgreSQL whose Patroni was killed outright is still running: stop it by its own pid file.
for pidfile in "$state"/pg/pg*/data/postmaster.pid; do
  [ -f "$pidfile" ] || continue
  pid=$(head -n 1 "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -INT "$pid" 2>/dev/null
    for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
done
rm -rf "$state"
echo "dvcid cluster down ($state removed)"
