// Codes, grants with their refresh-token families, revoked tokens, assertion `jti`s and the
// back-channel logout outbox, in SQL shared by both backends. `include!`d after
// `sql_oidc.rs` into the same module, whose imports and helpers it uses.

#[async_trait]
impl GrantStore for SqlStore<Db> {
    async fn create_code(&self, code: &AuthorizationCode) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        // A code from a session that already ended would be a grant nobody hears the end of.
        if !lock_live_session(&mut tx, code.session_id, code.account_id, code.created_at).await? {
            return Err(StoreError::NotFound { what: "session" });
        }
        sqlx::query(concat!(
            "INSERT INTO oidc_codes (",
            code_columns!(),
            ", used_at, replayed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
             $13, $14, NULL, NULL)"
        ))
        .bind(code.code_hash.as_slice())
        .bind(code.client_id.as_str())
        .bind(code.grant_id)
        .bind(code.account_id.0)
        .bind(code.session_id)
        .bind(code.redirect_uri.as_str())
        .bind(code.scope.as_str())
        .bind(code.nonce.as_deref())
        .bind(code.code_challenge.as_deref())
        .bind(code.acr.as_str())
        .bind(amr_to_stored(&code.amr))
        .bind(to_ms(code.auth_time))
        .bind(to_ms(code.created_at))
        .bind(to_ms(code.expires_at))
        .execute(&mut *tx)
        .await
        .map_err(missing_on_fk("client"))?;
        sqlx::query(
            "INSERT INTO oidc_session_clients (session_id, client_id) VALUES ($1, $2) \
             ON CONFLICT (session_id, client_id) DO NOTHING",
        )
        .bind(code.session_id)
        .bind(code.client_id.as_str())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn redeem_code(
        &self,
        code_hash: &[u8; 32],
        now: OffsetDateTime,
    ) -> Result<CodeRedemption> {
        let mut tx = self.writer.begin().await?;
        let spent = sqlx::query(concat!(
            "UPDATE oidc_codes SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL \
             AND expires_at > $2 RETURNING ",
            code_columns!()
        ))
        .bind(code_hash.as_slice())
        .bind(to_ms(now))
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = spent {
            let code = code_from_row(&row)?;
            tx.commit().await?;
            return Ok(CodeRedemption::Redeemed(code));
        }
        // Marking the replay waits for a `create_grant` of this code in progress, and makes a
        // later one refuse, so the replayed code's grant cannot slip through.
        let replayed = sqlx::query(
            "UPDATE oidc_codes SET replayed_at = COALESCE(replayed_at, $2) \
             WHERE code_hash = $1 AND used_at IS NOT NULL RETURNING grant_id",
        )
        .bind(code_hash.as_slice())
        .bind(to_ms(now))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = replayed else {
            return Ok(CodeRedemption::Invalid);
        };
        let grant_id: Uuid = row.try_get("grant_id")?;
        revoke_grant_in(&mut tx, grant_id, now).await?;
        tx.commit().await?;
        tracing::warn!(%grant_id, "authorization code replayed; its grant is revoked");
        Ok(CodeRedemption::Replayed { grant_id })
    }

    async fn create_grant(&self, grant: &Grant, refresh: Option<&NewRefreshToken>) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        if !lock_live_session(
            &mut tx,
            grant.session_id,
            grant.account_id,
            grant.created_at,
        )
        .await?
        {
            return Err(StoreError::NotFound { what: "session" });
        }
        // Waits for a replay of the grant's code being recorded; a replayed code gets no grant.
        let replays = sqlx::query(
            "UPDATE oidc_codes SET replayed_at = replayed_at WHERE grant_id = $1 RETURNING replayed_at",
        )
        .bind(grant.id)
        .fetch_all(&mut *tx)
        .await?;
        for row in &replays {
            if row.try_get::<Option<i64>, _>("replayed_at")?.is_some() {
                return Err(StoreError::NotFound { what: "code" });
            }
        }
        sqlx::query(concat!(
            "INSERT INTO oidc_grants (",
            grant_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        ))
        .bind(grant.id)
        .bind(grant.client_id.as_str())
        .bind(grant.account_id.0)
        .bind(grant.session_id)
        .bind(grant.scope.as_str())
        .bind(grant.acr.as_str())
        .bind(amr_to_stored(&grant.amr))
        .bind(to_ms(grant.auth_time))
        .bind(to_ms(grant.created_at))
        .bind(to_ms(grant.expires_at))
        .bind(grant.revoked_at.map(to_ms))
        .execute(&mut *tx)
        .await
        .map_err(missing_on_fk("client"))?;
        if let Some(refresh) = refresh {
            insert_refresh(&mut tx, refresh, grant.id, grant.created_at).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn grant(&self, id: Uuid) -> Result<Option<Grant>> {
        sqlx::query(concat!(
            "SELECT ",
            grant_columns!(),
            " FROM oidc_grants WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.reader)
        .await?
        .as_ref()
        .map(grant_from_row)
        .transpose()
    }

    async fn rotate_refresh_token(&self, rotation: &Rotation<'_>) -> Result<RefreshRotation> {
        if BACKEND == "postgres" {
            return rotate_in_one_statement(&self.writer, rotation).await;
        }
        let mut tx = self.writer.begin().await?;
        let spent = sqlx::query(
            "UPDATE oidc_refresh_tokens SET used_at = $2, replaced_by = $4 WHERE token_hash = $1 \
             AND used_at IS NULL AND expires_at > $2 AND EXISTS (SELECT 1 FROM oidc_grants g \
             WHERE g.id = oidc_refresh_tokens.grant_id AND g.client_id = $3) RETURNING grant_id",
        )
        .bind(rotation.presented.as_slice())
        .bind(to_ms(rotation.now))
        .bind(rotation.client)
        .bind(rotation.next.as_slice())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(spent) = spent else {
            return refused_rotation(tx, rotation).await;
        };
        let Some(grant) = hold_live_grant(&mut tx, spent.try_get("grant_id")?, rotation.now).await?
        else {
            return Ok(RefreshRotation::Invalid);
        };
        insert_successor(&mut tx, &grant, rotation).await?;
        tx.commit().await?;
        Ok(RefreshRotation::Rotated(grant))
    }

    async fn refresh_token(&self, token_hash: &[u8; 32]) -> Result<Option<(RefreshToken, Grant)>> {
        let mut conn = self.reader.acquire().await?;
        let token = sqlx::query(concat!(
            "SELECT ",
            refresh_columns!(),
            " FROM oidc_refresh_tokens WHERE token_hash = $1"
        ))
        .bind(token_hash.as_slice())
        .fetch_optional(&mut *conn)
        .await?;
        let Some(token) = token else {
            return Ok(None);
        };
        let token = refresh_from_row(&token)?;
        let grant = sqlx::query(concat!(
            "SELECT ",
            grant_columns!(),
            " FROM oidc_grants WHERE id = $1"
        ))
        .bind(token.grant_id)
        .fetch_optional(&mut *conn)
        .await?;
        grant
            .as_ref()
            .map(|grant| Ok((token, grant_from_row(grant)?)))
            .transpose()
    }

    async fn revoke_grant(&self, id: Uuid, now: OffsetDateTime) -> Result<bool> {
        let mut conn = self.writer.acquire().await?;
        revoke_grant_in(&mut conn, id, now).await
    }

    async fn revoke_access_token(&self, jti: &str, expires_at: OffsetDateTime) -> Result<()> {
        sqlx::query(
            "INSERT INTO oidc_revoked_access_tokens (jti, expires_at) VALUES ($1, $2) \
             ON CONFLICT (jti) DO NOTHING",
        )
        .bind(jti)
        .bind(to_ms(expires_at))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn access_token_revoked(&self, jti: &str) -> Result<bool> {
        let found = sqlx::query("SELECT 1 FROM oidc_revoked_access_tokens WHERE jti = $1")
            .bind(jti)
            .fetch_optional(&self.reader)
            .await?;
        Ok(found.is_some())
    }

    async fn use_assertion_jti(
        &self,
        client: &str,
        jti: &str,
        expires_at: OffsetDateTime,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO oidc_assertion_jtis (client_id, jti, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (client_id, jti) DO NOTHING",
        )
        .bind(client)
        .bind(jti)
        .bind(to_ms(expires_at))
        .execute(&self.writer)
        .await
        .map_err(missing_on_fk("client"))?;
        Ok(done.rows_affected() > 0)
    }

    async fn purge_expired_grants(&self, now: OffsetDateTime) -> Result<u64> {
        // Tokens of expired grants are deleted explicitly (not by the cascade) so they count.
        const PURGES: [&str; 5] = [
            "DELETE FROM oidc_codes WHERE expires_at <= $1",
            "DELETE FROM oidc_refresh_tokens WHERE expires_at <= $1 \
             OR grant_id IN (SELECT id FROM oidc_grants WHERE expires_at <= $1)",
            "DELETE FROM oidc_grants WHERE expires_at <= $1",
            "DELETE FROM oidc_revoked_access_tokens WHERE expires_at <= $1",
            "DELETE FROM oidc_assertion_jtis WHERE expires_at <= $1",
        ];
        let mut tx = self.writer.begin().await?;
        let mut deleted = 0;
        for sql in PURGES {
            let done = sqlx::query(sql).bind(to_ms(now)).execute(&mut *tx).await?;
            deleted += done.rows_affected();
        }
        tx.commit().await?;
        Ok(deleted)
    }
}

/// PostgreSQL: the rotation as one data-modifying statement — one round trip and one implicit
/// transaction instead of `BEGIN`, three statements and `COMMIT`. The grant is locked `FOR NO
/// KEY UPDATE` rather than rewritten, so a racing revocation still lands before or after the
/// whole rotation but no new row version is written. The token is spent only together with a
/// live grant of this client and an active account; a second rotation racing with the same
/// token waits on the grant's lock, then finds the token spent and spends nothing.
async fn rotate_in_one_statement(
    pool: &sqlx::Pool<Db>,
    rotation: &Rotation<'_>,
) -> Result<RefreshRotation> {
    let rotated = sqlx::query(concat!(
        "WITH held AS (SELECT ",
        grant_columns!(),
        " FROM oidc_grants WHERE id = (SELECT grant_id FROM oidc_refresh_tokens \
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2) \
         AND client_id = $3 AND revoked_at IS NULL AND expires_at > $2 \
         AND account_id IN (SELECT id FROM accounts WHERE status = 'active') \
         FOR NO KEY UPDATE), \
         spent AS (UPDATE oidc_refresh_tokens SET used_at = $2, replaced_by = $4 \
         WHERE token_hash = $1 AND used_at IS NULL AND grant_id IN (SELECT id FROM held) \
         RETURNING grant_id), \
         next AS (INSERT INTO oidc_refresh_tokens \
         (token_hash, grant_id, created_at, expires_at, used_at) \
         SELECT $4, held.id, $2, held.expires_at, NULL FROM held JOIN spent ON spent.grant_id = held.id \
         RETURNING grant_id) \
         SELECT ",
        grant_columns!(),
        " FROM held WHERE id IN (SELECT grant_id FROM next)"
    ))
    .bind(rotation.presented.as_slice())
    .bind(to_ms(rotation.now))
    .bind(rotation.client)
    .bind(rotation.next.as_slice())
    .fetch_optional(pool)
    .await?;
    match rotated {
        Some(grant) => Ok(RefreshRotation::Rotated(grant_from_row(&grant)?)),
        None => refused_rotation(pool.begin().await?, rotation).await,
    }
}

/// Why a presented refresh token was not spent: unknown or expired (nothing happens), another
/// client's (nothing happens), a retry of an exchange whose answer was lost (exchanged again),
/// or used before — then its family is revoked.
async fn refused_rotation(
    mut tx: sqlx::Transaction<'_, Db>,
    rotation: &Rotation<'_>,
) -> Result<RefreshRotation> {
    let found = sqlx::query(
        "SELECT t.grant_id, t.used_at, g.client_id FROM oidc_refresh_tokens t \
         JOIN oidc_grants g ON g.id = t.grant_id WHERE t.token_hash = $1",
    )
    .bind(rotation.presented.as_slice())
    .fetch_optional(&mut *tx)
    .await?;
    let Some(found) = found else {
        return Ok(RefreshRotation::Invalid);
    };
    if found.try_get::<String, _>("client_id")? != rotation.client {
        return Ok(RefreshRotation::OtherClient);
    }
    let Some(used_at) = found.try_get::<Option<i64>, _>("used_at")? else {
        // Live but expired.
        return Ok(RefreshRotation::Invalid);
    };
    let grant_id: Uuid = found.try_get("grant_id")?;
    let since_exchange = rotation.now - from_ms("oidc_refresh_tokens", "used_at", used_at)?;
    // A token without a successor (a discarded one) finds nothing to spend again: reuse.
    let recent = rotation.retry_grace.is_positive() && since_exchange < rotation.retry_grace;
    if recent
        && let Some(outcome) = exchange_again(&mut tx, grant_id, rotation).await?
    {
        tx.commit().await?;
        return Ok(outcome);
    }
    revoke_grant_in(&mut tx, grant_id, rotation.now).await?;
    tx.commit().await?;
    tracing::warn!(%grant_id, "refresh token reused; its family is revoked");
    Ok(RefreshRotation::Reused { grant_id })
}

/// The presented token was exchanged moments ago and nobody has used what it was exchanged
/// for: the client most likely never got the answer. The unused successor is spent — so the
/// family still has one live token, and whoever presents the discarded one later is caught as
/// reuse — and a new one takes its place. `None` when the successor was used after all: reuse.
async fn exchange_again(
    tx: &mut sqlx::Transaction<'_, Db>,
    grant_id: Uuid,
    rotation: &Rotation<'_>,
) -> Result<Option<RefreshRotation>> {
    let Some(grant) = hold_live_grant(tx, grant_id, rotation.now).await? else {
        return Ok(Some(RefreshRotation::Invalid));
    };
    // Read under the grant's lock, so two retries racing each other have one winner.
    let discarded = sqlx::query(
        "UPDATE oidc_refresh_tokens SET used_at = $2 WHERE used_at IS NULL AND token_hash = \
         (SELECT replaced_by FROM oidc_refresh_tokens WHERE token_hash = $1)",
    )
    .bind(rotation.presented.as_slice())
    .bind(to_ms(rotation.now))
    .execute(&mut **tx)
    .await?;
    if discarded.rows_affected() == 0 {
        return Ok(None);
    }
    sqlx::query("UPDATE oidc_refresh_tokens SET replaced_by = $2 WHERE token_hash = $1")
        .bind(rotation.presented.as_slice())
        .bind(rotation.next.as_slice())
        .execute(&mut **tx)
        .await?;
    insert_successor(tx, &grant, rotation).await?;
    Ok(Some(RefreshRotation::Exchanged(grant)))
}

/// Holds the grant if it is live, with a no-op write: a revocation racing us lands before or
/// after the whole rotation, never between the check and the new token. Grants of a locked
/// account are revoked with the lock; the status check keeps that true whatever changed the
/// status.
async fn hold_live_grant(
    conn: &mut DbConnection,
    grant_id: Uuid,
    now: OffsetDateTime,
) -> Result<Option<Grant>> {
    let grant = sqlx::query(concat!(
        "UPDATE oidc_grants SET revoked_at = revoked_at WHERE id = $1 AND revoked_at IS NULL \
         AND expires_at > $2 \
         AND account_id IN (SELECT id FROM accounts WHERE status = 'active') RETURNING ",
        grant_columns!()
    ))
    .bind(grant_id)
    .bind(to_ms(now))
    .fetch_optional(&mut *conn)
    .await?;
    grant.as_ref().map(grant_from_row).transpose()
}

async fn insert_refresh(
    conn: &mut DbConnection,
    token: &NewRefreshToken,
    grant: Uuid,
    now: OffsetDateTime,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO oidc_refresh_tokens (token_hash, grant_id, created_at, expires_at, used_at) \
         VALUES ($1, $2, $3, $4, NULL)",
    )
    .bind(token.token_hash.as_slice())
    .bind(grant)
    .bind(to_ms(now))
    .bind(to_ms(token.expires_at))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The token a rotation stores in `grant`'s family: it expires with the grant.
async fn insert_successor(
    conn: &mut DbConnection,
    grant: &Grant,
    rotation: &Rotation<'_>,
) -> Result<()> {
    let next = NewRefreshToken {
        token_hash: *rotation.next,
        grant_id: grant.id,
        expires_at: grant.expires_at,
    };
    insert_refresh(conn, &next, grant.id, rotation.now).await
}

#[async_trait]
impl LogoutOutbox for SqlStore<Db> {
    async fn due_logouts(&self, now: OffsetDateTime, limit: u32) -> Result<Vec<PendingLogout>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            logout_columns!(),
            " FROM oidc_pending_logouts WHERE next_attempt_at <= $1 \
             ORDER BY created_at, id LIMIT $2"
        ))
        .bind(to_ms(now))
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(logout_from_row).collect()
    }

    async fn logout_delivered(&self, id: Uuid) -> Result<()> {
        sqlx::query("DELETE FROM oidc_pending_logouts WHERE id = $1")
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn logout_failed(&self, id: Uuid, next_attempt_at: OffsetDateTime) -> Result<()> {
        sqlx::query(
            "UPDATE oidc_pending_logouts SET attempts = attempts + 1, next_attempt_at = $2 \
             WHERE id = $1",
        )
        .bind(id)
        .bind(to_ms(next_attempt_at))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn session_clients(&self, session: Uuid) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT client_id FROM oidc_session_clients WHERE session_id = $1 ORDER BY client_id",
        )
        .bind(session)
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| Ok(row.try_get("client_id")?))
            .collect()
    }
}
