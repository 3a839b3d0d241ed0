// The OpenID provider's clients, consents and signing keys in SQL, with the helpers its
// grants (`sql_grants.rs`) share: both backends run it like `sql_impl.rs`, `include!`d right
// after it into the same module (so it reuses that file's imports and helpers). Single use is decided by one conditional write; rows another transaction must not
// change underneath us are "locked" with a no-op UPDATE, which works on SQLite (one writer)
// and PostgreSQL (row lock until commit) alike.

use crate::oidc_api::{ClientStore, GrantStore, LogoutOutbox, SigningKeyStore};
use crate::oidc_model::{
    AuthorizationCode, ClientSettings, CodeRedemption, Grant, NewRefreshToken, OidcClient,
    PendingLogout, RefreshRotation, RefreshToken, Rotation, SigningAlg, SigningKey,
};

macro_rules! client_columns {
    () => {
        "id, name, secret_hash, settings, created_at, updated_at"
    };
}

macro_rules! signing_key_columns {
    () => {
        "kid, alg, sealed_private_key, public_jwk, created_at, activates_at, retires_at"
    };
}

macro_rules! code_columns {
    () => {
        "code_hash, client_id, grant_id, account_id, session_id, redirect_uri, scope, nonce, \
         code_challenge, acr, amr, auth_time, created_at, expires_at"
    };
}

macro_rules! grant_columns {
    () => {
        "id, client_id, account_id, session_id, scope, acr, amr, auth_time, created_at, \
         expires_at, revoked_at"
    };
}

macro_rules! refresh_columns {
    () => {
        "token_hash, grant_id, created_at, expires_at, used_at"
    };
}

macro_rules! logout_columns {
    () => {
        "id, session_id, account_id, client_id, attempts, next_attempt_at, created_at"
    };
}

fn digest(table: &'static str, column: &'static str, bytes: Vec<u8>) -> Result<[u8; 32]> {
    <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| StoreError::Corrupt {
        table,
        column,
        value: format!("{} bytes", bytes.len()),
        reason: "a SHA-256 digest has 32 bytes".to_owned(),
    })
}

fn alg_to_stored(alg: SigningAlg) -> &'static str {
    match alg {
        SigningAlg::RS256 => "RS256",
        SigningAlg::ES256 => "ES256",
        SigningAlg::EdDSA => "EdDSA",
    }
}

fn alg_from_stored(stored: &str) -> std::result::Result<SigningAlg, &'static str> {
    match stored {
        "RS256" => Ok(SigningAlg::RS256),
        "ES256" => Ok(SigningAlg::ES256),
        "EdDSA" => Ok(SigningAlg::EdDSA),
        _ => Err("unknown signing algorithm"),
    }
}

/// A foreign key that names no existing row means the caller referred to something unknown.
fn missing_on_fk(what: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |error| match &error {
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::NotFound { what },
        _ => StoreError::Database(error),
    }
}

fn client_from_row(row: &DbRow) -> Result<OidcClient> {
    const T: &str = "oidc_clients";
    let settings: Json<serde_json::Value> = row.try_get("settings")?;
    let settings: ClientSettings =
        serde_json::from_value(settings.0.clone()).map_err(|error| StoreError::Corrupt {
            table: T,
            column: "settings",
            value: settings.0.to_string(),
            reason: error.to_string(),
        })?;
    let secret_hash: Option<Vec<u8>> = row.try_get("secret_hash")?;
    Ok(OidcClient {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        secret_hash: secret_hash
            .map(|bytes| digest(T, "secret_hash", bytes))
            .transpose()?,
        settings,
        created_at: from_ms(T, "created_at", row.try_get("created_at")?)?,
        updated_at: from_ms(T, "updated_at", row.try_get("updated_at")?)?,
    })
}

fn signing_key_from_row(row: &DbRow) -> Result<SigningKey> {
    const T: &str = "oidc_signing_keys";
    let public_jwk: Json<serde_json::Value> = row.try_get("public_jwk")?;
    Ok(SigningKey {
        kid: row.try_get("kid")?,
        alg: parsed(T, "alg", row.try_get("alg")?, alg_from_stored)?,
        sealed_private_key: row.try_get("sealed_private_key")?,
        public_jwk: public_jwk.0,
        created_at: from_ms(T, "created_at", row.try_get("created_at")?)?,
        activates_at: from_ms(T, "activates_at", row.try_get("activates_at")?)?,
        retires_at: opt_from_ms(T, "retires_at", row.try_get("retires_at")?)?,
    })
}

fn code_from_row(row: &DbRow) -> Result<AuthorizationCode> {
    const T: &str = "oidc_codes";
    let amr: String = row.try_get("amr")?;
    Ok(AuthorizationCode {
        code_hash: digest(T, "code_hash", row.try_get("code_hash")?)?,
        client_id: row.try_get("client_id")?,
        grant_id: row.try_get("grant_id")?,
        account_id: AccountId(row.try_get("account_id")?),
        session_id: row.try_get("session_id")?,
        redirect_uri: row.try_get("redirect_uri")?,
        scope: row.try_get("scope")?,
        nonce: row.try_get("nonce")?,
        code_challenge: row.try_get("code_challenge")?,
        acr: parsed(T, "acr", row.try_get("acr")?, str::parse::<AssuranceLevel>)?,
        amr: amr_from_stored(&amr),
        auth_time: from_ms(T, "auth_time", row.try_get("auth_time")?)?,
        created_at: from_ms(T, "created_at", row.try_get("created_at")?)?,
        expires_at: from_ms(T, "expires_at", row.try_get("expires_at")?)?,
    })
}

fn grant_from_row(row: &DbRow) -> Result<Grant> {
    const T: &str = "oidc_grants";
    let amr: String = row.try_get("amr")?;
    Ok(Grant {
        id: row.try_get("id")?,
        client_id: row.try_get("client_id")?,
        account_id: AccountId(row.try_get("account_id")?),
        session_id: row.try_get("session_id")?,
        scope: row.try_get("scope")?,
        acr: parsed(T, "acr", row.try_get("acr")?, str::parse::<AssuranceLevel>)?,
        amr: amr_from_stored(&amr),
        auth_time: from_ms(T, "auth_time", row.try_get("auth_time")?)?,
        created_at: from_ms(T, "created_at", row.try_get("created_at")?)?,
        expires_at: from_ms(T, "expires_at", row.try_get("expires_at")?)?,
        revoked_at: opt_from_ms(T, "revoked_at", row.try_get("revoked_at")?)?,
    })
}

fn refresh_from_row(row: &DbRow) -> Result<RefreshToken> {
    const T: &str = "oidc_refresh_tokens";
    Ok(RefreshToken {
        token_hash: digest(T, "token_hash", row.try_get("token_hash")?)?,
        grant_id: row.try_get("grant_id")?,
        created_at: from_ms(T, "created_at", row.try_get("created_at")?)?,
        expires_at: from_ms(T, "expires_at", row.try_get("expires_at")?)?,
        used_at: opt_from_ms(T, "used_at", row.try_get("used_at")?)?,
    })
}

fn logout_from_row(row: &DbRow) -> Result<PendingLogout> {
    const T: &str = "oidc_pending_logouts";
    Ok(PendingLogout {
        id: row.try_get("id")?,
        session_id: row.try_get("session_id")?,
        account_id: AccountId(row.try_get("account_id")?),
        client_id: row.try_get("client_id")?,
        attempts: row.try_get("attempts")?,
        next_attempt_at: from_ms(T, "next_attempt_at", row.try_get("next_attempt_at")?)?,
        created_at: from_ms(T, "created_at", row.try_get("created_at")?)?,
    })
}

/// Holds the session row until commit if the session belongs to `account` and is live at `at`;
/// false otherwise. A concurrent session end then either happened before (we see it) or waits
/// for us (and sees what we wrote).
async fn lock_live_session(
    conn: &mut DbConnection,
    session: Uuid,
    account: AccountId,
    at: OffsetDateTime,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE sessions SET revoked_at = NULL WHERE id = $1 AND account_id = $2 \
         AND revoked_at IS NULL AND idle_expires_at > $3 AND absolute_expires_at > $3",
    )
    .bind(session)
    .bind(account.0)
    .bind(to_ms(at))
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

async fn revoke_grant_in(conn: &mut DbConnection, id: Uuid, now: OffsetDateTime) -> Result<bool> {
    let done =
        sqlx::query("UPDATE oidc_grants SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
            .bind(id)
            .bind(to_ms(now))
            .execute(&mut *conn)
            .await?;
    Ok(done.rows_affected() > 0)
}

/// What ending one session does besides marking it: its grants are revoked and every client
/// that shared it gets a back-channel logout queued (the outbox), in the caller's transaction.
async fn on_session_ended(
    conn: &mut DbConnection,
    session: Uuid,
    account: AccountId,
    now: OffsetDateTime,
) -> Result<()> {
    sqlx::query(
        "UPDATE oidc_grants SET revoked_at = $2 WHERE session_id = $1 AND revoked_at IS NULL",
    )
    .bind(session)
    .bind(to_ms(now))
    .execute(&mut *conn)
    .await?;
    let clients = sqlx::query("SELECT client_id FROM oidc_session_clients WHERE session_id = $1")
        .bind(session)
        .fetch_all(&mut *conn)
        .await?;
    for row in &clients {
        let client: String = row.try_get("client_id")?;
        sqlx::query(
            "INSERT INTO oidc_pending_logouts (id, session_id, account_id, client_id, attempts, \
             next_attempt_at, created_at) VALUES ($1, $2, $3, $4, 0, $5, $5) \
             ON CONFLICT (session_id, client_id) DO NOTHING",
        )
        .bind(Uuid::now_v7())
        .bind(session)
        .bind(account.0)
        .bind(client)
        .bind(to_ms(now))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Revokes every grant of the account, whatever its session (a locked or disabled account
/// keeps no tokens).
async fn revoke_grants_of_account(
    conn: &mut DbConnection,
    account: AccountId,
    now: OffsetDateTime,
) -> Result<()> {
    sqlx::query(
        "UPDATE oidc_grants SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL",
    )
    .bind(account.0)
    .bind(to_ms(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[async_trait]
impl ClientStore for SqlStore<Db> {
    async fn create_client(&self, client: &OidcClient) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        let done = sqlx::query(
            "INSERT INTO oidc_clients (id, name, secret_hash, settings, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
        )
        .bind(client.id.as_str())
        .bind(client.name.as_str())
        .bind(client.secret_hash.as_ref().map(|hash| hash.as_slice()))
        .bind(Json(&client.settings))
        .bind(to_ms(client.created_at))
        .bind(to_ms(client.updated_at))
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::ClientExists);
        }
        // The settings hold the origins; this table only answers "does any client register
        // this origin?" (a CORS preflight) without reading every client.
        for origin in &client.settings.web_origins {
            sqlx::query(
                "INSERT INTO oidc_client_web_origins (client_id, origin) VALUES ($1, $2) \
                 ON CONFLICT (client_id, origin) DO NOTHING",
            )
            .bind(client.id.as_str())
            .bind(origin.as_str())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn client(&self, id: &str) -> Result<Option<OidcClient>> {
        sqlx::query(concat!(
            "SELECT ",
            client_columns!(),
            " FROM oidc_clients WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.reader)
        .await?
        .as_ref()
        .map(client_from_row)
        .transpose()
    }

    async fn clients(&self) -> Result<Vec<OidcClient>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            client_columns!(),
            " FROM oidc_clients ORDER BY id"
        ))
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(client_from_row).collect()
    }

    async fn set_client_secret(
        &self,
        id: &str,
        secret_hash: &[u8; 32],
        now: OffsetDateTime,
    ) -> Result<bool> {
        let done =
            sqlx::query("UPDATE oidc_clients SET secret_hash = $2, updated_at = $3 WHERE id = $1")
                .bind(id)
                .bind(secret_hash.as_slice())
                .bind(to_ms(now))
                .execute(&self.writer)
                .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn delete_client(&self, id: &str) -> Result<bool> {
        // The foreign keys cascade to codes, grants (and their tokens), consents, jtis,
        // session memberships and pending logouts.
        let done = sqlx::query("DELETE FROM oidc_clients WHERE id = $1")
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn web_origin_registered(&self, origin: &str) -> Result<bool> {
        let row = sqlx::query("SELECT 1 AS one FROM oidc_client_web_origins WHERE origin = $1 LIMIT 1")
            .bind(origin)
            .fetch_optional(&self.reader)
            .await?;
        Ok(row.is_some())
    }

    async fn consent(&self, account: AccountId, client: &str) -> Result<Option<String>> {
        let row =
            sqlx::query("SELECT scope FROM oidc_consents WHERE account_id = $1 AND client_id = $2")
                .bind(account.0)
                .bind(client)
                .fetch_optional(&self.reader)
                .await?;
        Ok(row.map(|row| row.try_get("scope")).transpose()?)
    }

    async fn record_consent(
        &self,
        account: AccountId,
        client: &str,
        scope: &str,
        now: OffsetDateTime,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO oidc_consents (account_id, client_id, scope, granted_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (account_id, client_id) DO UPDATE SET scope = excluded.scope, \
             granted_at = excluded.granted_at",
        )
        .bind(account.0)
        .bind(client)
        .bind(scope)
        .bind(to_ms(now))
        .execute(&self.writer)
        .await
        .map_err(missing_on_fk("account or client"))?;
        Ok(())
    }
}

#[async_trait]
impl SigningKeyStore for SqlStore<Db> {
    async fn add_signing_key(&self, key: &SigningKey) -> Result<()> {
        sqlx::query(
            "INSERT INTO oidc_signing_keys (kid, alg, sealed_private_key, public_jwk, created_at, \
             activates_at, retires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(key.kid.as_str())
        .bind(alg_to_stored(key.alg))
        .bind(key.sealed_private_key.as_slice())
        .bind(Json(&key.public_jwk))
        .bind(to_ms(key.created_at))
        .bind(to_ms(key.activates_at))
        .bind(key.retires_at.map(to_ms))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn signing_keys(&self, now: OffsetDateTime) -> Result<Vec<SigningKey>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            signing_key_columns!(),
            " FROM oidc_signing_keys WHERE retires_at IS NULL OR retires_at > $1 \
             ORDER BY created_at, kid"
        ))
        .bind(to_ms(now))
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(signing_key_from_row).collect()
    }

    async fn retire_signing_key(&self, kid: &str, retires_at: OffsetDateTime) -> Result<bool> {
        let done = sqlx::query("UPDATE oidc_signing_keys SET retires_at = $2 WHERE kid = $1")
            .bind(kid)
            .bind(to_ms(retires_at))
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
