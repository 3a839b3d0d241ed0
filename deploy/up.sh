#!/usr/bin/env bash
# Brings dvcid up on loopback as it runs in production, on real parts: three PostgreSQL 15
# instances managed by Patroni (synchronous replication, etcd as the consensus store), HAProxy
# in front of them (TCP, routed to the current primary) and in front of three `dvcid serve`
# nodes (HTTPS, TLS terminated there), and the sandbox for the outside registries and SMS.
# deploy/README.md explains the parts and their settings; deploy/down.sh takes it all down.
#
# Usage: deploy/up.sh            (as root: PostgreSQL runs as the user postgres)
# Settings (environment):
#   DEPLOY_STATE=/tmp/dvcid-cluster   everything the deployment writes: data, logs, pids, venv
#   DVCID=target/release/dvcid        the binary (built with cargo when it is the default)
#   NODES=3                           dvcid serve nodes behind HAProxy (1…3)
#   DVCID_…                           reach every node (e.g. DVCID_DATABASE__MAX_CONNECTIONS=8)
# Running it again with everything up changes nothing; a part that died is started again.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=deploy/ports.sh
source deploy/ports.sh
# shellcheck source=bench/serve.sh
source bench/serve.sh

state=${DEPLOY_STATE:-/tmp/dvcid-cluster}
nodes=${NODES:-3}
pg_bin=/usr/lib/postgresql/15/bin
if [ -z "${DVCID:-}" ]; then
  cargo build --release -p dvcid
  DVCID=target/release/dvcid
fi
dvcid=$(realpath "$DVCID")
[ "$(id -u)" -eq 0 ] || { echo "deploy/up.sh: run as root (PostgreSQL runs as postgres)" >&2; exit 1; }
case $nodes in 1|2|3) ;; *) echo "deploy/up.sh: NODES must be 1, 2 or 3" >&2; exit 2 ;; esac

mkdir -p "$state"/{logs,pids,haproxy,dvcid} "$state/pg"
chown postgres:postgres "$state/pg"
chmod 755 "$state"

running() { [ -f "$state/pids/$1.pid" ] && kill -0 "$(cat "$state/pids/$1.pid")" 2>/dev/null; }

# Starts COMMAND… in the background under NAME (its pid in pids/NAME.pid, its output in
# logs/NAME.log) unless it already runs. The command execs the real process, so that the pid
# is the process's own.
start() {
  local name=$1; shift
  running "$name" && return 0
  setsid "$@" >>"$state/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$state/pids/$name.pid"
}

# Waits up to SECS for COMMAND… to succeed.
await() {
  local secs=$1; shift
  for _ in $(seq $((secs * 10))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "deploy/up.sh: gave up waiting for: $*" >&2
  return 1
}

# --- Patroni, in its own virtual environment (PyPI) -------------------------------------
if [ ! -x "$state/venv/bin/patroni" ]; then
  echo "installing Patroni into $state/venv" >&2
  /usr/bin/python3 -m venv "$state/venv"
  "$state/venv/bin/pip" install --quiet 'patroni[etcd3]' psycopg2-binary
fi

# --- etcd: Patroni's consensus store (one member on loopback; three in production) --------
start etcd /usr/bin/etcd --name dvcid-etcd --data-dir "$state/etcd" \
  --listen-client-urls "http://$etcd_addr" --advertise-client-urls "http://$etcd_addr" \
  --listen-peer-urls "http://$etcd_peer_addr" --initial-advertise-peer-urls "http://$etcd_peer_addr" \
  --initial-cluster "dvcid-etcd=http://$etcd_peer_addr"
await 30 curl -fsS "http://$etcd_addr/health"

# --- three PostgreSQL instances under Patroni ---------------------------------------------
for index in 1 2 3; do
  name=pg$index dir=$state/pg/pg$index
  mkdir -p "$dir"
  cat >"$dir/patroni.yml" <<EOF
scope: dvcid
namespace: /dvcid/
name: $name
restapi:
  listen: ${patroni_addrs[index]}
  connect_address: ${patroni_addrs[index]}
etcd3:
  hosts: $etcd_addr
bootstrap:
  dcs:
    ttl: 20
    loop_wait: 2
    retry_timeout: 5
    # A primary whose PostgreSQL crashed is not restarted in place: a synchronous replica,
    # which holds every acknowledged commit, takes over at once.
    primary_start_timeout: 0
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      parameters:
        synchronous_commit: "on"
        max_connections: 200
        wal_level: replica
        hot_standby: "on"
        wal_log_hints: "on"
        max_wal_senders: 10
        max_replication_slots: 10
  initdb:
    - encoding: UTF8
    - data-checksums
postgresql:
  listen: ${pg_addrs[index]}
  connect_address: ${pg_addrs[index]}
  data_dir: $dir/data
  bin_dir: $pg_bin
  pgpass: $dir/pgpass
  authentication:
    superuser: {username: postgres, password: postgres}
    replication: {username: replicator, password: replicator}
    rewind: {username: rewinder, password: rewinder}
  parameters:
    unix_socket_directories: $dir
  pg_hba:
    - local all all trust
    - host replication replicator 127.0.0.1/32 trust
    - host all all 127.0.0.1/32 trust
EOF
  chown -R postgres:postgres "$dir"
  # `exec` keeps the pid Patroni's own (runuser stays the parent otherwise).
  start "$name" runuser -u postgres -- sh -c "exec $state/venv/bin/patroni $dir/patroni.yml"
done

# The cluster is ready when it has a leader and a synchronous standby.
cluster_ready() {
  curl -fsS "http://${patroni_addrs[1]}/cluster" |
    python3 -c 'import json,sys; m=json.load(sys.stdin)["members"]; roles={x["role"] for x in m if x.get("state") in ("running","streaming")}; sys.exit(0 if "leader" in roles and "sync_standby" in roles else 1)'
}
await 180 cluster_ready

# --- HAProxy: PostgreSQL primary (TCP) and the dvcid nodes (HTTPS) -------------------------
# A local CA (what clients trust: $state/ca.crt) and the site's certificate signed by it.
if [ ! -f "$state/haproxy/site.pem" ]; then
  (
    cd "$state/haproxy"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=dvcid deploy CA" \
      -keyout ca.key -out ca.crt 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout site.key -out site.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n' >site.ext
    openssl x509 -req -in site.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 \
      -extfile site.ext -out site.crt 2>/dev/null
    cat site.crt site.key >site.pem
  )
fi
# What a client sees when a node died under its request: a retry-able 503, not a 502.
printf 'HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{"code":"unavailable","message":"the service is briefly unavailable; try again"}\n' \
  >"$state/haproxy/503.http"
{
  cat <<EOF
global
  maxconn 4096
  stats socket $state/haproxy/admin.sock mode 600 level admin
  log stdout format raw local0 info

defaults
  log global
  timeout connect 2s
  timeout check 1s
  timeout client 60s
  timeout server 60s
  retries 2
  option redispatch 1
  errorfile 502 $state/haproxy/503.http
  errorfile 503 $state/haproxy/503.http
  errorfile 504 $state/haproxy/503.http

# PostgreSQL: only the member whose Patroni answers 200 on /primary receives connections;
# when it stops doing so its sessions are cut, so that the pools reconnect to the new one.
listen postgres
  bind $pg_front_addr
  mode tcp
  timeout client 30m
  timeout server 30m
  option httpchk GET /primary
  http-check expect status 200
  default-server inter 1s fastinter 500ms fall 2 rise 1 on-marked-down shutdown-sessions
EOF
  for index in 1 2 3; do
    echo "  server pg$index ${pg_addrs[index]} check port ${patroni_addrs[index]##*:}"
  done
  cat <<EOF

frontend https
  bind $https_addr ssl crt $state/haproxy/site.pem
  mode http
  # Every request that ended abnormally, with its termination state (e.g. SH--: the node
  # closed before answering); normal ones are not logged.
  option httplog
  option dontlog-normal
  option forwardfor
  http-request set-header X-Forwarded-Proto https
  default_backend dvcid

backend dvcid
  mode http
  balance roundrobin
  # A request that reached a node which died before answering may have been carried out (a
  # refresh token rotated): only GET and HEAD are sent again, the rest get the 503 above and
  # their client decides. A connection that failed before the request went out is retried;
  # no connection is reused, because HAProxy takes a reused one that the dying node closed
  # under a request for such a failure and sends the request again.
  retry-on conn-failure empty-response
  http-request disable-l7-retry unless METH_GET || METH_HEAD
  http-reuse never
  option httpchk GET /readyz
  default-server inter 1s fastinter 500ms fall 2 rise 2
EOF
  for index in $(seq "$nodes"); do
    echo "  server node$index ${node_addrs[index]} check"
  done
} >"$state/haproxy/haproxy.cfg"
haproxy -c -q -f "$state/haproxy/haproxy.cfg"
start haproxy haproxy -W -db -f "$state/haproxy/haproxy.cfg"
database_url=postgres://postgres@$pg_front_addr/dvcid
# Writable, not only reachable: a new cluster's leader takes writes a moment after it answers.
await 30 bash -c "psql 'postgres://postgres@$pg_front_addr/postgres' -Atc \
  \"SELECT NOT pg_is_in_recovery() AND current_setting('transaction_read_only') = 'off'\" | grep -qx t"
if ! psql "postgres://postgres@$pg_front_addr/postgres" -Atc \
  "SELECT 1 FROM pg_database WHERE datname = 'dvcid'" | grep -q 1; then
  psql "postgres://postgres@$pg_front_addr/postgres" -qc 'CREATE DATABASE dvcid'
fi

# --- the sandbox and the dvcid nodes ---------------------------------------------------------
start sandbox "$dvcid" sandbox --listen "$sandbox_addr" --smtp-listen "$smtp_addr" --people 1000
await 30 curl -fsS "http://$sandbox_addr/sandbox/people?limit=1"

# One configuration (the nodes must share their secrets); each node's address comes from
# the environment. HAProxy is the only proxy whose X-Forwarded-For is believed.
if [ ! -f "$state/dvcid/dvcid.toml" ]; then
  work=$state/dvcid write_serve_config "$database_url" "${node_addrs[1]}" "[http]
trusted_proxies = [\"127.0.0.1\"]" "https://$https_addr"
fi
for index in $(seq "$nodes"); do
  DVCID_LISTEN=${node_addrs[index]} start "node$index" "$dvcid" serve --config "$state/dvcid/dvcid.toml"
  # The first node migrates the schema; the others start on it.
  await 60 curl -fsS "http://${node_addrs[index]}/readyz"
done
cp "$state/haproxy/ca.crt" "$state/ca.crt"
# Up for clients only once HAProxy's checks have put the nodes in (rise 2).
await 30 curl -fsS --cacert "$state/ca.crt" "https://$https_addr/readyz"

cat <<EOF
dvcid cluster up (state in $state)
  https://$https_addr/            dvcid through HAProxy (certificate: $state/ca.crt)
  postgres://postgres@$pg_front_addr/dvcid   PostgreSQL primary through HAProxy
  nodes:    $(for index in $(seq "$nodes"); do printf 'http://%s ' "${node_addrs[index]}"; done)
  patroni:  $(for index in 1 2 3; do printf 'http://%s ' "${patroni_addrs[index]}"; done)
  etcd:     http://$etcd_addr      sandbox: http://$sandbox_addr (SMTP $smtp_addr)
  $state/venv/bin/patronictl -c $state/pg/pg1/patroni.yml list
EOF
