# The loopback addresses of the deployment (deploy/up.sh, down.sh, failover.sh). Indexed from 1.
# The machine's own PostgreSQL keeps 5432.
etcd_addr=127.0.0.1:2479
etcd_peer_addr=127.0.0.1:2480
pg_addrs=('' 127.0.0.1:5441 127.0.0.1:5442 127.0.0.1:5443)
patroni_addrs=('' 127.0.0.1:8011 127.0.0.1:8012 127.0.0.1:8013)
pg_front_addr=127.0.0.1:5440
https_addr=127.0.0.1:8443
node_addrs=('' 127.0.0.1:18601 127.0.0.1:18602 127.0.0.1:18603)
sandbox_addr=127.0.0.1:18610
smtp_addr=127.0.0.1:18611
# The password of every account the scripts register on the deployment (they share accounts).
deploy_password=Deploy-cluster-2026
