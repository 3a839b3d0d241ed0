// A durable PostgreSQL adapter for node-oidc-provider (its adapter interface: upsert, find,
// findByUserCode, findByUid, consume, destroy, revokeByGrantId). One table keyed by model and
// id, the payload as jsonb; each call is one statement in its own transaction, and the server's
// synchronous_commit is left as it is (on by default): every write is flushed before the
// provider answers, as dvcid's are.

import pg from 'pg';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS oidc_model (
  model      text        NOT NULL,
  id         text        NOT NULL,
  payload    jsonb       NOT NULL,
  grant_id   text,
  uid        text,
  user_code  text,
  expires_at timestamptz,
  consumed_at timestamptz,
  PRIMARY KEY (model, id)
);
CREATE INDEX IF NOT EXISTS oidc_model_grant_id ON oidc_model (grant_id) WHERE grant_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS oidc_model_uid ON oidc_model (model, uid) WHERE uid IS NOT NULL;
CREATE INDEX IF NOT EXISTS oidc_model_user_code ON oidc_model (model, user_code)
  WHERE user_code IS NOT NULL;
`;

// Models whose records name a grant (what revokeByGrantId removes).
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

let pool;

// `tls`: TLS to the server without verifying its certificate (a loopback benchmark); off by
// default, as pg's own default.
export async function connect(connectionString, max, tls = false) {
  pool = new pg.Pool({ connectionString, max, ssl: tls ? { rejectUnauthorized: false } : false });
  await pool.query(SCHEMA);
  return pool;
}

export async function close() {
  if (pool) await pool.end();
}

function row(result) {
  const found = result.rows[0];
  if (!found) return undefined;
  const payload = found.payload;
  if (found.consumed) payload.consumed = Number(found.consumed);
  return payload;
}

export class PostgresAdapter {
  constructor(model) {
    this.model = model;
  }

  async upsert(id, payload, expiresIn) {
    const expires = typeof expiresIn === 'number' ? expiresIn : null;
    await pool.query({
      name: 'oidc_upsert',
      text: `INSERT INTO oidc_model (model, id, payload, grant_id, uid, user_code, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6,
                     CASE WHEN $7::int IS NULL THEN NULL
                          ELSE now() + make_interval(secs => $7::int) END)
             ON CONFLICT (model, id) DO UPDATE
             SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id, uid = EXCLUDED.uid,
                 user_code = EXCLUDED.user_code, expires_at = EXCLUDED.expires_at`,
      values: [
        this.model,
        id,
        payload,
        GRANTABLE.has(this.model) ? payload.grantId ?? null : null,
        payload.uid ?? null,
        payload.userCode ?? null,
        expires,
      ],
    });
  }

  async find(id) {
    return row(await pool.query({
      name: 'oidc_find',
      text: `SELECT payload, extract(epoch FROM consumed_at)::bigint AS consumed
             FROM oidc_model
             WHERE model = $1 AND id = $2 AND (expires_at IS NULL OR expires_at > now())`,
      values: [this.model, id],
    }));
  }

  async findByUid(uid) {
    return row(await pool.query({
      name: 'oidc_find_by_uid',
      text: `SELECT payload, extract(epoch FROM consumed_at)::bigint AS consumed
             FROM oidc_model
             WHERE model = $1 AND uid = $2 AND (expires_at IS NULL OR expires_at > now())`,
      values: [this.model, uid],
    }));
  }

  async findByUserCode(userCode) {
    return row(await pool.query({
      name: 'oidc_find_by_user_code',
      text: `SELECT payload, extract(epoch FROM consumed_at)::bigint AS consumed
             FROM oidc_model
             WHERE model = $1 AND user_code = $2 AND (expires_at IS NULL OR expires_at > now())`,
      values: [this.model, userCode],
    }));
  }

  async consume(id) {
    await pool.query({
      name: 'oidc_consume',
      text: 'UPDATE oidc_model SET consumed_at = now() WHERE model = $1 AND id = $2',
      values: [this.model, id],
    });
  }

  async destroy(id) {
    await pool.query({
      name: 'oidc_destroy',
      text: 'DELETE FROM oidc_model WHERE model = $1 AND id = $2',
      values: [this.model, id],
    });
  }

  async revokeByGrantId(grantId) {
    await pool.query({
      name: 'oidc_revoke_by_grant_id',
      text: 'DELETE FROM oidc_model WHERE grant_id = $1 AND model = $2',
      values: [grantId, this.model],
    });
  }
}
