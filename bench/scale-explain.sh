#!/usr/bin/env bash
# EXPLAIN (ANALYZE, BUFFERS) of the queries every sign-in and refresh grant runs, on a
# database `bench/scale.sh` seeded and ran its load on (so that sessions, grants and refresh
# tokens exist). The statements are the store's (crates/store/src/sql_impl.rs,
# sql_grants.rs), with the values of one sampled account; writes run in a transaction that is
# rolled back. bench/scale.sh calls it at its last size.
# Usage: bench/scale-explain.sh POSTGRES_URL SAMPLE_FILE
set -euo pipefail
url=$1 sample=$2

# The account in the middle of the sample: neither the first nor the last seeded.
personal_id=$(jq -r .personal_id <"$sample" | sed -n "$(($(wc -l <"$sample") / 2 + 1))p")
now=$(($(date +%s) * 1000))

psql "$url" -v ON_ERROR_STOP=1 -X -q -v personal_id="$personal_id" -v now="$now" <<'SQL'
\pset pager off
SELECT id AS account FROM accounts WHERE personal_id = :'personal_id' \gset
SELECT encode(token_hash, 'hex') AS session_hash FROM sessions ORDER BY created_at DESC LIMIT 1 \gset
SELECT encode(t.token_hash, 'hex') AS refresh_hash, g.client_id AS client, g.id AS grant_id
  FROM oidc_refresh_tokens t JOIN oidc_grants g ON g.id = t.grant_id
  WHERE t.used_at IS NULL ORDER BY t.created_at DESC LIMIT 1 \gset
\echo '## account by personal ID (sign_in)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT id, kind, personal_id, legacy_cmnd, tax_code,
  full_name, birth_date, gender, email, status, registration_channel, created_at, updated_at
  FROM accounts WHERE personal_id = :'personal_id';
\echo '## password hash of an account (sign_in)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT secret FROM credentials
  WHERE account_id = :'account' AND kind = 'password' AND key = '';
\echo '## credentials of an account (sign_in: the methods it can use)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT account_id, kind, key, public_data, is_default,
  created_at, last_used_at FROM credentials WHERE account_id = :'account'
  ORDER BY kind, is_default DESC, created_at, key;
\echo '## OTP phones of an account (the code is texted to the default)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT key, is_default, created_at FROM credentials
  WHERE account_id = :'account' AND kind = 'otp_phone' ORDER BY is_default DESC, created_at, key;
\echo '## session by token digest (every signed-in request)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT id, account_id, acr, amr, auth_time, client_ip,
  user_agent, created_at, last_seen_at, idle_expires_at, absolute_expires_at FROM sessions
  WHERE token_hash = decode(:'session_hash', 'hex') AND revoked_at IS NULL
  AND idle_expires_at > :now AND absolute_expires_at > :now;
BEGIN;
\echo '## throttle counter upsert (sign_in: per account and per address)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) INSERT INTO throttle_counters (key, window_start, hits,
  expires_at) VALUES ('explain:' || :'personal_id', :now, 1, :now + 60000)
  ON CONFLICT (key, window_start) DO UPDATE SET hits = throttle_counters.hits + 1,
  expires_at = excluded.expires_at RETURNING hits;
\echo '## refresh token by digest, spent (refresh grant)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) UPDATE oidc_refresh_tokens SET used_at = :now
  WHERE token_hash = decode(:'refresh_hash', 'hex') AND used_at IS NULL AND expires_at > :now
  AND grant_id IN (SELECT id FROM oidc_grants WHERE client_id = :'client') RETURNING grant_id;
\echo '## its grant, held, with the account still active (refresh grant)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) UPDATE oidc_grants SET revoked_at = revoked_at
  WHERE id = :'grant_id' AND revoked_at IS NULL AND expires_at > :now
  AND account_id IN (SELECT id FROM accounts WHERE status = 'active') RETURNING id;
ROLLBACK;
SQL
