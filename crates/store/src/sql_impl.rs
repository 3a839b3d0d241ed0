// The one implementation of the store traits in SQL that runs unchanged on SQLite and
// PostgreSQL. It is `include!`d by `sqlite.rs` and `postgres.rs`, each of which defines
// `Db` (the sqlx database type) and `BACKEND` first, so every query is written once.

use async_trait::async_trait;
use domain::{
    AccountKind, AccountStatus, AssuranceLevel, CredentialKind, Email, Gender, LegacyCmnd, PersonalId,
    PhoneNumber, RegistrationChannel, TaxCode,
};
use serde_json::json;
use sqlx::Row;
use sqlx::types::Json;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::api::{
    AccountStore, AuditLog, CredentialStore, FlowStore, Health, OtpStore, PhoneStore,
    SessionStore, ThrottleStore,
};
use crate::convert::{
    account_columns, amr_from_stored, amr_to_stored, audit_columns, flow_columns, from_ms,
    opt_from_ms, opt_parsed, otp_columns, parsed, session_columns, to_ms,
};
use crate::error::{Result, StoreError};
use crate::model::{
    Account, AccountId, AccountPhone, Actor, AuditContext, AuditEvent, AuditKind, Credential, FlowRecord,
    Identity, NewAccount, NewAuditEvent, NewCredential, NewFlow, NewOtpChallenge, NewSession, OtpChallenge,
    PendingPhoneChange, ResendLimit, Session, StepWrite,
};
use crate::SqlStore;

type DbRow = <Db as sqlx::Database>::Row;
type DbConnection = <Db as sqlx::Database>::Connection;

fn account_from_row(row: &DbRow) -> Result<Account> {
    const T: &str = "accounts";
    Ok(Account {
        id: AccountId(row.try_get("id")?),
        kind: parsed(T, "kind", row.try_get("kind")?, str::parse::<AccountKind>)?,
        identity: Identity {
            personal_id: opt_parsed(T, "personal_id", row.try_get("personal_id")?, PersonalId::parse)?,
            legacy_cmnd: opt_parsed(T, "legacy_cmnd", row.try_get("legacy_cmnd")?, LegacyCmnd::parse)?,
            tax_code: opt_parsed(T, "tax_code", row.try_get("tax_code")?, TaxCode::parse)?,
            full_name: row.try_get("full_name")?,
            birth_date: row.try_get("birth_date")?,
            gender: opt_parsed(T, "gender", row.try_get("gender")?, str::parse::<Gender>)?,
        },
        email: opt_parsed(T, "email", row.try_get("email")?, Email::parse)?,
        status: parsed(T, "status", row.try_get("status")?, str::parse::<AccountStatus>)?,
        registration_channel: parsed(
            T,
            "registration_channel",
            row.try_get("registration_channel")?,
            str::parse::<RegistrationChannel>,
        )?,
        created_at: from_ms(T, "created_at", row.try_get("created_at")?)?,
        updated_at: from_ms(T, "updated_at", row.try_get("updated_at")?)?,
    })
}

fn flow_from_row(row: &DbRow) -> Result<FlowRecord> {
    const T: &str = "flows";
    let state: Json<serde_json::Value> = row.try_get("state")?;
    Ok(FlowRecord {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        state: state.0,
        account_id: row.try_get::<Option<Uuid>, _>("account_id")?.map(AccountId),
        version: row.try_get("version")?,
        created_at: from_ms(T, "created_at", row.try_get("created_at")?)?,
        updated_at: from_ms(T, "updated_at", row.try_get("updated_at")?)?,
        expires_at: from_ms(T, "expires_at", row.try_get("expires_at")?)?,
    })
}

fn otp_from_row(row: &DbRow) -> Result<OtpChallenge> {
    const T: &str = "otp_challenges";
    Ok(OtpChallenge {
        id: row.try_get("id")?,
        flow_id: row.try_get("flow_id")?,
        purpose: row.try_get("purpose")?,
        phone: parsed(T, "phone", row.try_get("phone")?, PhoneNumber::parse)?,
        code_mac: row.try_get("code_mac")?,
        attempts: row.try_get("attempts")?,
        max_attempts: row.try_get("max_attempts")?,
        sends: row.try_get("sends")?,
        last_sent_at: from_ms(T, "last_sent_at", row.try_get("last_sent_at")?)?,
        expires_at: from_ms(T, "expires_at", row.try_get("expires_at")?)?,
        consumed_at: opt_from_ms(T, "consumed_at", row.try_get("consumed_at")?)?,
        created_at: from_ms(T, "created_at", row.try_get("created_at")?)?,
    })
}

fn session_from_row(row: &DbRow) -> Result<Session> {
    const T: &str = "sessions";
    let amr: String = row.try_get("amr")?;
    Ok(Session {
        id: row.try_get("id")?,
        account_id: AccountId(row.try_get("account_id")?),
        acr: parsed(T, "acr", row.try_get("acr")?, str::parse::<AssuranceLevel>)?,
        amr: amr_from_stored(&amr),
        auth_time: from_ms(T, "auth_time", row.try_get("auth_time")?)?,
        client_ip: row.try_get("client_ip")?,
        user_agent: row.try_get("user_agent")?,
        created_at: from_ms(T, "created_at", row.try_get("created_at")?)?,
        last_seen_at: from_ms(T, "last_seen_at", row.try_get("last_seen_at")?)?,
        idle_expires_at: from_ms(T, "idle_expires_at", row.try_get("idle_expires_at")?)?,
        absolute_expires_at: from_ms(T, "absolute_expires_at", row.try_get("absolute_expires_at")?)?,
    })
}

fn audit_from_row(row: &DbRow) -> Result<AuditEvent> {
    const T: &str = "audit_events";
    let details: Json<serde_json::Value> = row.try_get("details")?;
    Ok(AuditEvent {
        id: row.try_get("id")?,
        at: from_ms(T, "at", row.try_get("at")?)?,
        account_id: row.try_get::<Option<Uuid>, _>("account_id")?.map(AccountId),
        kind: parsed(T, "event", row.try_get("event")?, |s| {
            AuditKind::from_stored(s).ok_or("unknown event")
        })?,
        actor: parsed(T, "actor", row.try_get("actor")?, |s| {
            Actor::from_stored(s).ok_or("unknown actor")
        })?,
        client_ip: row.try_get("client_ip")?,
        details: details.0,
    })
}

/// Appends the account's event in the caller's transaction; `insert_audit`, which chains it,
/// is in sql_audit.rs.
async fn audit_change(
    conn: &mut DbConnection,
    account: AccountId,
    kind: AuditKind,
    context: &AuditContext,
    details: serde_json::Value,
    now: OffsetDateTime,
) -> Result<()> {
    let event = NewAuditEvent {
        account_id: Some(account),
        kind,
        context: context.clone(),
        details,
    };
    insert_audit(conn, &event, now).await.map(drop)
}

/// Ends the account's sessions (all but `except`) with their side effects (`on_session_ended`
/// in sql_oidc.rs); the caller's transaction makes it all or nothing.
async fn revoke_all_sessions(
    conn: &mut DbConnection,
    account: AccountId,
    except: Option<Uuid>,
    now: OffsetDateTime,
) -> Result<u64> {
    let ended = sqlx::query(
        "UPDATE sessions SET revoked_at = $2 \
         WHERE account_id = $1 AND revoked_at IS NULL AND ($3 IS NULL OR id <> $3) RETURNING id",
    )
    .bind(account.0)
    .bind(to_ms(now))
    .bind(except)
    .fetch_all(&mut *conn)
    .await?;
    for row in &ended {
        on_session_ended(conn, row.try_get("id")?, account, now).await?;
    }
    Ok(u64::try_from(ended.len()).unwrap_or(u64::MAX))
}

async fn insert_session(conn: &mut DbConnection, session: &NewSession, now: OffsetDateTime) -> Result<Session> {
    let row = sqlx::query(concat!(
        "INSERT INTO sessions (id, token_hash, account_id, acr, amr, auth_time, client_ip, \
         user_agent, created_at, last_seen_at, idle_expires_at, absolute_expires_at, revoked_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11, NULL) RETURNING ",
        session_columns!()
    ))
    .bind(session.id)
    .bind(session.token_hash.as_slice())
    .bind(session.account_id.0)
    .bind(session.acr.as_str())
    .bind(amr_to_stored(&session.amr))
    .bind(to_ms(session.auth_time))
    .bind(session.client_ip.as_deref())
    .bind(session.user_agent.as_deref())
    .bind(to_ms(now))
    .bind(to_ms(session.idle_expires_at))
    .bind(to_ms(session.absolute_expires_at))
    .fetch_one(&mut *conn)
    .await?;
    session_from_row(&row)
}

/// A new account with its password and default phone, and its audit event.
async fn insert_account(
    conn: &mut DbConnection,
    id: AccountId,
    new: &NewAccount,
    now: OffsetDateTime,
) -> Result<Account> {
    let identity = &new.identity;
    let row = sqlx::query(concat!(
        "INSERT INTO accounts (id, kind, personal_id, legacy_cmnd, tax_code, full_name, \
         birth_date, gender, email, status, registration_channel, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING ",
        account_columns!()
    ))
    .bind(id.0)
    .bind(new.kind.as_str())
    .bind(identity.personal_id.as_ref().map(PersonalId::as_str))
    .bind(identity.legacy_cmnd.as_ref().map(LegacyCmnd::as_str))
    .bind(identity.tax_code.as_ref().map(TaxCode::as_str))
    .bind(identity.full_name.as_str())
    .bind(identity.birth_date)
    .bind(identity.gender.map(Gender::as_str))
    .bind(new.email.as_ref().map(Email::as_str))
    .bind(AccountStatus::Active.as_str())
    .bind(new.registration_channel.as_str())
    .bind(to_ms(now))
    .fetch_one(&mut *conn)
    .await
    .map_err(StoreError::from_insert)?;
    let account = account_from_row(&row)?;
    if let Some(phone) = &new.default_phone {
        sqlx::query(
            "INSERT INTO credentials (account_id, kind, key, is_default, created_at) \
             VALUES ($1, 'otp_phone', $2, TRUE, $3)",
        )
        .bind(id.0)
        .bind(phone.e164())
        .bind(to_ms(now))
        .execute(&mut *conn)
        .await?;
    }
    if let Some(phc) = &new.password_phc {
        sqlx::query("INSERT INTO credentials (account_id, kind, key, secret, created_at) VALUES ($1, 'password', '', $2, $3)")
            .bind(id.0)
            .bind(phc.as_str())
            .bind(to_ms(now))
            .execute(&mut *conn)
            .await?;
    }
    let details = json!({
        "kind": new.kind.as_str(),
        "channel": new.registration_channel.as_str(),
    });
    audit_change(conn, id, AuditKind::AccountRegistered, &new.audit, details, now).await?;
    Ok(account)
}


/// A credential added to an account, and its audit event.
async fn insert_credential(
    conn: &mut DbConnection,
    account: AccountId,
    credential: &NewCredential,
    audit: &AuditContext,
    now: OffsetDateTime,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO credentials (account_id, kind, key, public_data, secret, is_default, created_at) \
         VALUES ($1, $2, $3, $4, $5, FALSE, $6)",
    )
    .bind(account.0)
    .bind(credential.kind.as_str())
    .bind(credential.key.as_str())
    .bind(credential.public_data.to_string())
    .bind(credential.secret.as_deref())
    .bind(to_ms(now))
    .execute(&mut *conn)
    .await
    .map_err(StoreError::from_insert)?;
    let details = json!({ "kind": credential.kind.as_str() });
    audit_change(conn, account, AuditKind::CredentialAdded, audit, details, now).await
}

/// One write of a flow step, inside the step's transaction.
async fn apply_step_write(conn: &mut DbConnection, write: &StepWrite, now: OffsetDateTime) -> Result<()> {
    match write {
        StepWrite::OpenSession(session) => insert_session(conn, session, now).await.map(drop),
        StepWrite::Audit(event) => insert_audit(conn, event, now).await.map(drop),
        StepWrite::ConsumeOtp { id } => {
            let consumed = sqlx::query(
                "UPDATE otp_challenges SET consumed_at = $2 WHERE id = $1 AND consumed_at IS NULL",
            )
            .bind(id)
            .bind(to_ms(now))
            .execute(&mut *conn)
            .await?;
            // Another request used the code first: the whole step is undone.
            if consumed.rows_affected() == 1 { Ok(()) } else { Err(StoreError::Conflict) }
        }
        StepWrite::RaiseSession { id, acr, amr, auth_time } => {
            sqlx::query("UPDATE sessions SET acr = $2, amr = $3, auth_time = $4 WHERE id = $1 AND revoked_at IS NULL")
                .bind(id)
                .bind(acr.as_str())
                .bind(amr_to_stored(amr))
                .bind(to_ms(*auth_time))
                .execute(&mut *conn)
                .await?;
            Ok(())
        }
        StepWrite::RememberDevice { account, key } => {
            sqlx::query(
                "INSERT INTO credentials (account_id, kind, key, created_at, last_used_at) \
                 VALUES ($1, 'device', $2, $3, $3) \
                 ON CONFLICT (account_id, kind, key) DO UPDATE SET last_used_at = excluded.last_used_at",
            )
            .bind(account.0)
            .bind(key.as_str())
            .bind(to_ms(now))
            .execute(&mut *conn)
            .await?;
            Ok(())
        }
        StepWrite::CredentialsUsed { account, used } => {
            if used.is_empty() {
                return Ok(());
            }
            let mut update = sqlx::QueryBuilder::<Db>::new("UPDATE credentials SET last_used_at = ");
            update.push_bind(to_ms(now)).push(" WHERE account_id = ").push_bind(account.0);
            update.push(" AND (kind, key) IN");
            update.push_tuples(used, |mut pair, (kind, key)| {
                pair.push_bind(kind.as_str()).push_bind(key.as_str());
            });
            update.build().execute(&mut *conn).await?;
            Ok(())
        }
        StepWrite::ConfirmPhone { account, phone } => {
            sqlx::query("DELETE FROM unconfirmed_phones WHERE account_id = $1 AND phone = $2")
                .bind(account.0)
                .bind(phone.e164())
                .execute(&mut *conn)
                .await?;
            Ok(())
        }
        StepWrite::ForgetHits { keys } => forget_hits(conn, keys).await,
        StepWrite::CreateAccount { id, account, credentials } => {
            let created = insert_account(conn, *id, account, now).await?;
            for credential in credentials {
                insert_credential(conn, created.id, credential, &account.audit, now).await?;
            }
            Ok(())
        }
        StepWrite::AddCredential { account, credential, audit } => {
            insert_credential(conn, *account, credential, audit, now).await
        }
        StepWrite::ReplaceDefaultPhone { account, phone, audit } => {
            replace_default_phone(conn, *account, phone, audit, now).await
        }
        StepWrite::SchedulePhoneChange { account, phone, replaces, cancel_mac, effective_at, audit } => {
            // The same number confirmed again keeps its original cool-down.
            sqlx::query(
                "INSERT INTO phone_changes (account_id, phone, replaces, cancel_mac, requested_at, effective_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (account_id) DO UPDATE SET \
                 effective_at = CASE WHEN phone_changes.phone = excluded.phone \
                     THEN phone_changes.effective_at ELSE excluded.effective_at END, \
                 phone = excluded.phone, replaces = excluded.replaces, \
                 cancel_mac = excluded.cancel_mac, requested_at = excluded.requested_at",
            )
            .bind(account.0)
            .bind(phone.e164())
            .bind(replaces.as_ref().map(PhoneNumber::e164))
            .bind(cancel_mac.as_slice())
            .bind(to_ms(now))
            .bind(to_ms(*effective_at))
            .execute(&mut *conn)
            .await?;
            let details = json!({ "phone": phone.masked(), "effective_at": to_ms(*effective_at) });
            audit_change(conn, *account, AuditKind::PhoneChangeScheduled, audit, details, now).await
        }
    }
}

/// The lost-phone change's last act: `phone` becomes the default OTP phone and the default it
/// replaces goes.
async fn replace_default_phone(
    conn: &mut DbConnection,
    account: AccountId,
    phone: &PhoneNumber,
    audit: &AuditContext,
    now: OffsetDateTime,
) -> Result<()> {
    let lost = swap_default_phone(conn, account, phone, now).await?;
    let details = json!({ "phone": phone.masked(), "replaced": lost.is_some() });
    audit_change(conn, account, AuditKind::DefaultPhoneChanged, audit, details, now).await
}

/// Makes `phone` the default OTP phone (adding it if needed) and removes the default it
/// replaces, whose E.164 number it returns. The caller audits.
async fn swap_default_phone(
    conn: &mut DbConnection,
    account: AccountId,
    phone: &PhoneNumber,
    now: OffsetDateTime,
) -> Result<Option<String>> {
    let lost: Option<String> = sqlx::query(
        "SELECT key FROM credentials WHERE account_id = $1 AND kind = 'otp_phone' AND is_default",
    )
    .bind(account.0)
    .fetch_optional(&mut *conn)
    .await?
    .map(|row| row.try_get("key"))
    .transpose()?;
    sqlx::query(
        "INSERT INTO credentials (account_id, kind, key, is_default, created_at) \
         VALUES ($1, 'otp_phone', $2, FALSE, $3) ON CONFLICT (account_id, kind, key) DO NOTHING",
    )
    .bind(account.0)
    .bind(phone.e164())
    .bind(to_ms(now))
    .execute(&mut *conn)
    .await?;
    make_default(conn, account, phone).await?;
    let lost = lost.filter(|lost| lost.as_str() != phone.e164());
    if let Some(lost) = &lost {
        sqlx::query("DELETE FROM credentials WHERE account_id = $1 AND kind = 'otp_phone' AND key = $2")
            .bind(account.0)
            .bind(lost.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(lost)
}

async fn count_hit(
    conn: &mut DbConnection,
    key: &str,
    window_start: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO throttle_counters (key, window_start, hits, expires_at) VALUES ($1, $2, 1, $3) \
         ON CONFLICT (key, window_start) DO UPDATE SET hits = throttle_counters.hits + 1, \
         expires_at = excluded.expires_at RETURNING hits",
    )
    .bind(key)
    .bind(to_ms(window_start))
    .bind(to_ms(expires_at))
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("hits")?)
}

/// Forgets every window of each of `keys` (one statement).
async fn forget_hits(conn: &mut DbConnection, keys: &[String]) -> Result<()> {
    if keys.is_empty() {
        return Ok(());
    }
    let mut delete = sqlx::QueryBuilder::<Db>::new("DELETE FROM throttle_counters WHERE key IN (");
    let mut listed = delete.separated(", ");
    for key in keys {
        listed.push_bind(key.as_str());
    }
    delete.push(")");
    delete.build().execute(&mut *conn).await?;
    Ok(())
}

fn credential_from_row(row: &DbRow) -> Result<Credential> {
    const T: &str = "credentials";
    let public_data: String = row.try_get("public_data")?;
    Ok(Credential {
        account_id: AccountId(row.try_get("account_id")?),
        kind: parsed(T, "kind", row.try_get("kind")?, str::parse::<CredentialKind>)?,
        key: row.try_get("key")?,
        public_data: parsed(T, "public_data", public_data, |text: &str| serde_json::from_str(text))?,
        is_default: row.try_get("is_default")?,
        created_at: from_ms(T, "created_at", row.try_get("created_at")?)?,
        last_used_at: opt_from_ms(T, "last_used_at", row.try_get("last_used_at")?)?,
    })
}

async fn account_where(store: &SqlStore<Db>, sql: &'static str, key: &str) -> Result<Option<Account>> {
    sqlx::query(sql)
        .bind(key)
        .fetch_optional(&store.reader)
        .await?
        .as_ref()
        .map(account_from_row)
        .transpose()
}

async fn phone_exists(conn: &mut DbConnection, account: AccountId, phone: &PhoneNumber) -> Result<bool> {
    let found = sqlx::query("SELECT 1 FROM credentials WHERE account_id = $1 AND kind = 'otp_phone' AND key = $2")
        .bind(account.0)
        .bind(phone.e164())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(found.is_some())
}

async fn make_default(conn: &mut DbConnection, account: AccountId, phone: &PhoneNumber) -> Result<()> {
    // Unset first: the partial unique index allows one default per account at any moment.
    sqlx::query("UPDATE credentials SET is_default = FALSE WHERE account_id = $1 AND kind = 'otp_phone' AND is_default")
        .bind(account.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE credentials SET is_default = TRUE WHERE account_id = $1 AND kind = 'otp_phone' AND key = $2")
        .bind(account.0)
        .bind(phone.e164())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[async_trait]
impl AccountStore for SqlStore<Db> {
    async fn create_account(&self, new: &NewAccount, now: OffsetDateTime) -> Result<Account> {
        let mut tx = self.writer.begin().await?;
        let account = insert_account(&mut tx, AccountId(Uuid::now_v7()), new, now).await?;
        tx.commit().await?;
        Ok(account)
    }

    async fn account(&self, id: AccountId) -> Result<Option<Account>> {
        sqlx::query(concat!("SELECT ", account_columns!(), " FROM accounts WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await?
            .as_ref()
            .map(account_from_row)
            .transpose()
    }

    async fn account_by_personal_id(&self, id: &PersonalId) -> Result<Option<Account>> {
        let sql = concat!("SELECT ", account_columns!(), " FROM accounts WHERE personal_id = $1");
        account_where(self, sql, id.as_str()).await
    }

    async fn account_by_legacy_cmnd(&self, cmnd: &LegacyCmnd) -> Result<Option<Account>> {
        let sql = concat!("SELECT ", account_columns!(), " FROM accounts WHERE legacy_cmnd = $1");
        account_where(self, sql, cmnd.as_str()).await
    }

    async fn account_by_tax_code(&self, tax_code: &TaxCode) -> Result<Option<Account>> {
        let sql = concat!("SELECT ", account_columns!(), " FROM accounts WHERE tax_code = $1");
        account_where(self, sql, tax_code.as_str()).await
    }

    async fn update_identity(
        &self,
        id: AccountId,
        identity: &Identity,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        let before = sqlx::query(concat!("SELECT ", account_columns!(), " FROM accounts WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound { what: "account" })?;
        let before = account_from_row(&before)?.identity;
        sqlx::query(
            "UPDATE accounts SET personal_id = $2, legacy_cmnd = $3, tax_code = $4, full_name = $5, \
             birth_date = $6, gender = $7, updated_at = $8 WHERE id = $1",
        )
        .bind(id.0)
        .bind(identity.personal_id.as_ref().map(PersonalId::as_str))
        .bind(identity.legacy_cmnd.as_ref().map(LegacyCmnd::as_str))
        .bind(identity.tax_code.as_ref().map(TaxCode::as_str))
        .bind(identity.full_name.as_str())
        .bind(identity.birth_date)
        .bind(identity.gender.map(Gender::as_str))
        .bind(to_ms(now))
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from_insert)?;
        let changed: Vec<&str> = [
            ("personal_id", before.personal_id != identity.personal_id),
            ("legacy_cmnd", before.legacy_cmnd != identity.legacy_cmnd),
            ("tax_code", before.tax_code != identity.tax_code),
            ("full_name", before.full_name != identity.full_name),
            ("birth_date", before.birth_date != identity.birth_date),
            ("gender", before.gender != identity.gender),
        ]
        .into_iter()
        .filter_map(|(field, differs)| differs.then_some(field))
        .collect();
        let details = json!({ "changed": changed });
        audit_change(&mut tx, id, AuditKind::IdentityUpdated, audit, details, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_email(
        &self,
        id: AccountId,
        email: Option<&Email>,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        let done = sqlx::query("UPDATE accounts SET email = $2, updated_at = $3 WHERE id = $1")
            .bind(id.0)
            .bind(email.map(Email::as_str))
            .bind(to_ms(now))
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound { what: "account" });
        }
        let details = json!({ "changed": ["email"] });
        audit_change(&mut tx, id, AuditKind::IdentityUpdated, audit, details, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_status(
        &self,
        id: AccountId,
        status: AccountStatus,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        let done = sqlx::query("UPDATE accounts SET status = $2, updated_at = $3 WHERE id = $1")
            .bind(id.0)
            .bind(status.as_str())
            .bind(to_ms(now))
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound { what: "account" });
        }
        if status != AccountStatus::Active {
            revoke_all_sessions(&mut tx, id, None, now).await?;
            revoke_grants_of_account(&mut tx, id, now).await?;
        }
        let details = json!({ "status": status.as_str() });
        audit_change(&mut tx, id, AuditKind::StatusChanged, audit, details, now).await?;
        tx.commit().await?;
        Ok(())
    }
}

#[async_trait]
impl PhoneStore for SqlStore<Db> {
    async fn phones(&self, account: AccountId) -> Result<Vec<AccountPhone>> {
        let rows = sqlx::query(
            "SELECT key, is_default, created_at FROM credentials WHERE account_id = $1 AND kind = 'otp_phone' \
             ORDER BY is_default DESC, created_at, key",
        )
        .bind(account.0)
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AccountPhone {
                    phone: parsed("credentials", "key", row.try_get("key")?, PhoneNumber::parse)?,
                    is_default: row.try_get("is_default")?,
                    added_at: from_ms("credentials", "created_at", row.try_get("created_at")?)?,
                })
            })
            .collect()
    }

    async fn add_phone(
        &self,
        account: AccountId,
        phone: &PhoneNumber,
        make_default_now: bool,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO credentials (account_id, kind, key, is_default, created_at) \
             VALUES ($1, 'otp_phone', $2, FALSE, $3) ON CONFLICT (account_id, kind, key) DO NOTHING",
        )
        .bind(account.0)
        .bind(phone.e164())
        .bind(to_ms(now))
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        let has_default = sqlx::query("SELECT 1 FROM credentials WHERE account_id = $1 AND kind = 'otp_phone' AND is_default")
            .bind(account.0)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if make_default_now || !has_default {
            make_default(&mut tx, account, phone).await?;
        }
        if inserted {
            let details = json!({ "phone": phone.masked(), "default": make_default_now || !has_default });
            audit_change(&mut tx, account, AuditKind::PhoneAdded, audit, details, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn pending_phone_change(&self, account: AccountId) -> Result<Option<PendingPhoneChange>> {
        const T: &str = "phone_changes";
        let row = sqlx::query(
            "SELECT phone, replaces, requested_at, effective_at FROM phone_changes WHERE account_id = $1",
        )
        .bind(account.0)
        .fetch_optional(&self.reader)
        .await?;
        row.map(|row| {
            Ok(PendingPhoneChange {
                account_id: account,
                phone: parsed(T, "phone", row.try_get("phone")?, PhoneNumber::parse)?,
                replaces: opt_parsed(T, "replaces", row.try_get("replaces")?, PhoneNumber::parse)?,
                requested_at: from_ms(T, "requested_at", row.try_get("requested_at")?)?,
                effective_at: from_ms(T, "effective_at", row.try_get("effective_at")?)?,
            })
        })
        .transpose()
    }

    async fn settle_phone_change(&self, account: AccountId, now: OffsetDateTime) -> Result<bool> {
        // Nearly always nothing is due: found by a read, without taking the write lock.
        let due = sqlx::query("SELECT 1 FROM phone_changes WHERE account_id = $1 AND effective_at <= $2")
            .bind(account.0)
            .bind(to_ms(now))
            .fetch_optional(&self.reader)
            .await?;
        if due.is_none() {
            return Ok(false);
        }
        let mut tx = self.writer.begin().await?;
        let due = sqlx::query(
            "DELETE FROM phone_changes WHERE account_id = $1 AND effective_at <= $2 RETURNING phone",
        )
        .bind(account.0)
        .bind(to_ms(now))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = due else {
            return Ok(false);
        };
        let phone = parsed("phone_changes", "phone", row.try_get("phone")?, PhoneNumber::parse)?;
        let system = AuditContext {
            actor: Actor::System,
            client_ip: None,
        };
        replace_default_phone(&mut tx, account, &phone, &system, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn cancel_phone_change(
        &self,
        account: AccountId,
        cancel_mac: &[u8; 32],
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let mut tx = self.writer.begin().await?;
        let cancelled = sqlx::query(
            "DELETE FROM phone_changes WHERE account_id = $1 AND cancel_mac = $2 RETURNING phone",
        )
        .bind(account.0)
        .bind(cancel_mac.as_slice())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = cancelled else {
            return Ok(false);
        };
        let phone: String = row.try_get("phone")?;
        // Whoever made the change may be signed in with it: every session ends.
        let ended = revoke_all_sessions(&mut tx, account, None, now).await?;
        let masked = PhoneNumber::parse(&phone).map(|phone| phone.masked()).unwrap_or_default();
        let details = json!({ "phone": masked, "sessions_ended": ended });
        audit_change(&mut tx, account, AuditKind::PhoneChangeCancelled, audit, details, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn set_default_phone(
        &self,
        account: AccountId,
        phone: &PhoneNumber,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        if !phone_exists(&mut tx, account, phone).await? {
            return Err(StoreError::NotFound { what: "OTP phone" });
        }
        make_default(&mut tx, account, phone).await?;
        let details = json!({ "phone": phone.masked() });
        audit_change(&mut tx, account, AuditKind::DefaultPhoneChanged, audit, details, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn remove_phone(
        &self,
        account: AccountId,
        phone: &PhoneNumber,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        if !phone_exists(&mut tx, account, phone).await? {
            return Err(StoreError::NotFound { what: "OTP phone" });
        }
        let count: i64 = sqlx::query("SELECT COUNT(*) AS n FROM credentials WHERE account_id = $1 AND kind = 'otp_phone'")
            .bind(account.0)
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
        if count <= 1 {
            return Err(StoreError::LastPhone);
        }
        sqlx::query("DELETE FROM credentials WHERE account_id = $1 AND kind = 'otp_phone' AND key = $2")
            .bind(account.0)
            .bind(phone.e164())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE credentials SET is_default = TRUE WHERE account_id = $1 AND kind = 'otp_phone' AND key = \
             (SELECT key FROM credentials WHERE account_id = $1 AND kind = 'otp_phone' \
              ORDER BY created_at, key LIMIT 1) \
             AND NOT EXISTS (SELECT 1 FROM credentials WHERE account_id = $1 AND kind = 'otp_phone' AND is_default)",
        )
        .bind(account.0)
        .execute(&mut *tx)
        .await?;
        let details = json!({ "phone": phone.masked() });
        audit_change(&mut tx, account, AuditKind::PhoneRemoved, audit, details, now).await?;
        tx.commit().await?;
        Ok(())
    }
}

#[async_trait]
impl CredentialStore for SqlStore<Db> {
    async fn password_phc(&self, account: AccountId) -> Result<Option<String>> {
        let row = sqlx::query("SELECT secret FROM credentials WHERE account_id = $1 AND kind = 'password' AND key = ''")
            .bind(account.0)
            .fetch_optional(&self.reader)
            .await?;
        Ok(row.map(|row| row.try_get("secret")).transpose()?)
    }

    async fn credentials(&self, account: AccountId) -> Result<Vec<Credential>> {
        let rows = sqlx::query(
            "SELECT account_id, kind, key, public_data, is_default, created_at, last_used_at \
             FROM credentials WHERE account_id = $1 ORDER BY kind, is_default DESC, created_at, key",
        )
        .bind(account.0)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(credential_from_row).collect()
    }

    async fn credential_owner(&self, kind: CredentialKind, key: &str) -> Result<Option<AccountId>> {
        let row = sqlx::query("SELECT account_id FROM credentials WHERE kind = $1 AND key = $2 LIMIT 1")
            .bind(kind.as_str())
            .bind(key)
            .fetch_optional(&self.reader)
            .await?;
        Ok(row.map(|row| row.try_get("account_id").map(AccountId)).transpose()?)
    }

    async fn credential_secret(
        &self,
        account: AccountId,
        kind: CredentialKind,
        key: &str,
    ) -> Result<Option<String>> {
        let row = sqlx::query("SELECT secret FROM credentials WHERE account_id = $1 AND kind = $2 AND key = $3")
            .bind(account.0)
            .bind(kind.as_str())
            .bind(key)
            .fetch_optional(&self.reader)
            .await?;
        let secret: Option<Option<String>> = row.map(|row| row.try_get("secret")).transpose()?;
        Ok(secret.flatten())
    }

    async fn remove_credential(
        &self,
        account: AccountId,
        kind: CredentialKind,
        key: &str,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        let removed = sqlx::query("DELETE FROM credentials WHERE account_id = $1 AND kind = $2 AND key = $3")
            .bind(account.0)
            .bind(kind.as_str())
            .bind(key)
            .execute(&mut *tx)
            .await?;
        if removed.rows_affected() == 0 {
            return Err(StoreError::NotFound { what: "credential" });
        }
        let details = json!({ "kind": kind.as_str() });
        audit_change(&mut tx, account, AuditKind::CredentialRemoved, audit, details, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_password(
        &self,
        account: AccountId,
        phc: &str,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "INSERT INTO credentials (account_id, kind, key, secret, created_at) VALUES ($1, 'password', '', $2, $3) \
             ON CONFLICT (account_id, kind, key) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at",
        )
        .bind(account.0)
        .bind(phc)
        .bind(to_ms(now))
        .execute(&mut *tx)
        .await
        .map_err(|error| match &error {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                StoreError::NotFound { what: "account" }
            }
            _ => StoreError::Database(error),
        })?;
        let ended = revoke_all_sessions(&mut tx, account, None, now).await?;
        let details = json!({ "sessions_ended": ended });
        audit_change(&mut tx, account, AuditKind::PasswordChanged, audit, details, now).await?;
        tx.commit().await?;
        Ok(())
    }
}

#[async_trait]
impl FlowStore for SqlStore<Db> {
    async fn create_flow(&self, flow: &NewFlow, now: OffsetDateTime) -> Result<FlowRecord> {
        let row = sqlx::query(concat!(
            "INSERT INTO flows (id, kind, state, account_id, version, created_at, updated_at, expires_at) \
             VALUES ($1, $2, $3, $4, 1, $5, $5, $6) RETURNING ",
            flow_columns!()
        ))
        .bind(flow.id)
        .bind(flow.kind.as_str())
        .bind(Json(&flow.state))
        .bind(flow.account_id.map(|id| id.0))
        .bind(to_ms(now))
        .bind(to_ms(flow.expires_at))
        .fetch_one(&self.writer)
        .await?;
        flow_from_row(&row)
    }

    async fn flow(&self, id: Uuid, now: OffsetDateTime) -> Result<Option<FlowRecord>> {
        sqlx::query(concat!("SELECT ", flow_columns!(), " FROM flows WHERE id = $1 AND expires_at > $2"))
            .bind(id)
            .bind(to_ms(now))
            .fetch_optional(&self.reader)
            .await?
            .as_ref()
            .map(flow_from_row)
            .transpose()
    }

    async fn update_flow(
        &self,
        flow: &FlowRecord,
        expected_version: i64,
        now: OffsetDateTime,
    ) -> Result<FlowRecord> {
        self.save_step(flow, expected_version, &[], now).await
    }

    async fn save_step(
        &self,
        flow: &FlowRecord,
        expected_version: i64,
        writes: &[StepWrite],
        now: OffsetDateTime,
    ) -> Result<FlowRecord> {
        let mut tx = self.writer.begin().await?;
        let row = sqlx::query(concat!(
            "UPDATE flows SET state = $3, account_id = $4, expires_at = $5, updated_at = $6, \
             version = version + 1 WHERE id = $1 AND version = $2 AND expires_at > $6 RETURNING ",
            flow_columns!()
        ))
        .bind(flow.id)
        .bind(expected_version)
        .bind(Json(&flow.state))
        .bind(flow.account_id.map(|id| id.0))
        .bind(to_ms(flow.expires_at))
        .bind(to_ms(now))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            tx.rollback().await?;
            return match self.flow(flow.id, now).await? {
                Some(_) => Err(StoreError::Conflict),
                None => Err(StoreError::NotFound { what: "flow" }),
            };
        };
        for write in writes {
            apply_step_write(&mut tx, write, now).await?;
        }
        tx.commit().await?;
        flow_from_row(&row)
    }

    async fn delete_flow(&self, id: Uuid) -> Result<()> {
        sqlx::query("DELETE FROM flows WHERE id = $1")
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn purge_expired_flows(&self, now: OffsetDateTime) -> Result<u64> {
        let done = sqlx::query("DELETE FROM flows WHERE expires_at <= $1")
            .bind(to_ms(now))
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected())
    }
}

#[async_trait]
impl OtpStore for SqlStore<Db> {
    async fn create_otp(&self, otp: &NewOtpChallenge, now: OffsetDateTime) -> Result<OtpChallenge> {
        let row = sqlx::query(concat!(
            "INSERT INTO otp_challenges (id, flow_id, purpose, phone, code_mac, attempts, \
             max_attempts, sends, last_sent_at, expires_at, consumed_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, 0, $6, 1, $7, $8, NULL, $7) RETURNING ",
            otp_columns!()
        ))
        .bind(otp.id)
        .bind(otp.flow_id)
        .bind(otp.purpose.as_str())
        .bind(otp.phone.e164())
        .bind(otp.code_mac.as_slice())
        .bind(otp.max_attempts)
        .bind(to_ms(now))
        .bind(to_ms(otp.expires_at))
        .fetch_one(&self.writer)
        .await?;
        otp_from_row(&row)
    }

    async fn otp(&self, id: Uuid) -> Result<Option<OtpChallenge>> {
        sqlx::query(concat!("SELECT ", otp_columns!(), " FROM otp_challenges WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.reader)
            .await?
            .as_ref()
            .map(otp_from_row)
            .transpose()
    }

    async fn take_otp_attempt(&self, id: Uuid, now: OffsetDateTime) -> Result<Option<OtpChallenge>> {
        sqlx::query(concat!(
            "UPDATE otp_challenges SET attempts = attempts + 1 WHERE id = $1 \
             AND consumed_at IS NULL AND expires_at > $2 AND attempts < max_attempts RETURNING ",
            otp_columns!()
        ))
        .bind(id)
        .bind(to_ms(now))
        .fetch_optional(&self.writer)
        .await?
        .as_ref()
        .map(otp_from_row)
        .transpose()
    }


    async fn reissue_otp(
        &self,
        id: Uuid,
        code_mac: &[u8],
        expires_at: OffsetDateTime,
        limit: ResendLimit,
        now: OffsetDateTime,
    ) -> Result<Option<OtpChallenge>> {
        sqlx::query(concat!(
            "UPDATE otp_challenges SET code_mac = $2, expires_at = $3, sends = sends + 1, \
             attempts = 0, last_sent_at = $4 WHERE id = $1 AND consumed_at IS NULL \
             AND sends = $5 AND last_sent_at <= $6 RETURNING ",
            otp_columns!()
        ))
        .bind(id)
        .bind(code_mac)
        .bind(to_ms(expires_at))
        .bind(to_ms(now))
        .bind(limit.expected_sends)
        .bind(to_ms(limit.sent_before))
        .fetch_optional(&self.writer)
        .await?
        .as_ref()
        .map(otp_from_row)
        .transpose()
    }

    async fn claim_otp_send(&self, id: Uuid, limit: ResendLimit, now: OffsetDateTime) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE otp_challenges SET sends = sends + 1, last_sent_at = $2, consumed_at = $2 \
             WHERE id = $1 AND consumed_at IS NULL AND sends = $3 AND last_sent_at <= $4",
        )
        .bind(id)
        .bind(to_ms(now))
        .bind(limit.expected_sends)
        .bind(to_ms(limit.sent_before))
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

#[async_trait]
impl SessionStore for SqlStore<Db> {
    async fn create_session(&self, session: &NewSession, now: OffsetDateTime) -> Result<Session> {
        let mut conn = self.writer.acquire().await?;
        insert_session(&mut conn, session, now).await
    }

    async fn session(&self, id: Uuid, now: OffsetDateTime) -> Result<Option<Session>> {
        sqlx::query(concat!(
            "SELECT ",
            session_columns!(),
            " FROM sessions WHERE id = $1 AND revoked_at IS NULL \
             AND idle_expires_at > $2 AND absolute_expires_at > $2"
        ))
        .bind(id)
        .bind(to_ms(now))
        .fetch_optional(&self.reader)
        .await?
        .as_ref()
        .map(session_from_row)
        .transpose()
    }

    async fn session_by_token_hash(
        &self,
        token_hash: &[u8; 32],
        now: OffsetDateTime,
    ) -> Result<Option<Session>> {
        sqlx::query(concat!(
            "SELECT ",
            session_columns!(),
            " FROM sessions WHERE token_hash = $1 AND revoked_at IS NULL \
             AND idle_expires_at > $2 AND absolute_expires_at > $2"
        ))
        .bind(token_hash.as_slice())
        .bind(to_ms(now))
        .fetch_optional(&self.reader)
        .await?
        .as_ref()
        .map(session_from_row)
        .transpose()
    }

    async fn touch_session(
        &self,
        id: Uuid,
        idle_expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE sessions SET last_seen_at = $2, idle_expires_at = CASE \
             WHEN $3 < absolute_expires_at THEN $3 ELSE absolute_expires_at END \
             WHERE id = $1 AND revoked_at IS NULL",
        )
        .bind(id)
        .bind(to_ms(now))
        .bind(to_ms(idle_expires_at))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn revoke_session(&self, id: Uuid, now: OffsetDateTime) -> Result<bool> {
        let mut tx = self.writer.begin().await?;
        let ended = sqlx::query(
            "UPDATE sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING account_id",
        )
        .bind(id)
        .bind(to_ms(now))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(ended) = ended else {
            return Ok(false);
        };
        on_session_ended(&mut tx, id, AccountId(ended.try_get("account_id")?), now).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn revoke_sessions_of_account(
        &self,
        account: AccountId,
        except: Option<Uuid>,
        now: OffsetDateTime,
    ) -> Result<u64> {
        let mut tx = self.writer.begin().await?;
        let ended = revoke_all_sessions(&mut tx, account, except, now).await?;
        tx.commit().await?;
        Ok(ended)
    }

    async fn live_sessions(&self, account: AccountId, now: OffsetDateTime) -> Result<Vec<Session>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            session_columns!(),
            " FROM sessions WHERE account_id = $1 AND revoked_at IS NULL \
             AND idle_expires_at > $2 AND absolute_expires_at > $2 ORDER BY last_seen_at DESC"
        ))
        .bind(account.0)
        .bind(to_ms(now))
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(session_from_row).collect()
    }
}

#[async_trait]
impl ThrottleStore for SqlStore<Db> {
    async fn hit(
        &self,
        key: &str,
        window_start: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<i64> {
        let mut conn = self.writer.acquire().await?;
        count_hit(&mut conn, key, window_start, expires_at).await
    }

    async fn hit_all(
        &self,
        keys: &[String],
        window_start: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<Vec<i64>> {
        // Sorted, concurrent calls lock shared counters in one order and cannot deadlock.
        let mut distinct: Vec<&str> = keys.iter().map(String::as_str).collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.is_empty() {
            return Ok(Vec::new());
        }
        // One statement counts them all: atomic without a transaction of its own.
        let mut upsert =
            sqlx::QueryBuilder::<Db>::new("INSERT INTO throttle_counters (key, window_start, hits, expires_at) ");
        upsert.push_values(&distinct, |mut row, key| {
            row.push_bind(*key).push_bind(to_ms(window_start)).push("1").push_bind(to_ms(expires_at));
        });
        upsert.push(
            " ON CONFLICT (key, window_start) DO UPDATE SET hits = throttle_counters.hits + 1, \
             expires_at = excluded.expires_at RETURNING key, hits",
        );
        let rows = upsert.build().fetch_all(&self.writer).await?;
        let mut counted = Vec::with_capacity(rows.len());
        for row in &rows {
            counted.push((row.try_get::<String, _>("key")?, row.try_get::<i64, _>("hits")?));
        }
        Ok(keys
            .iter()
            .map(|key| counted.iter().find(|(counted, _)| counted == key).map_or(0, |(_, hits)| *hits))
            .collect())
    }

    async fn hits(&self, key: &str, window_start: OffsetDateTime) -> Result<i64> {
        let row = sqlx::query("SELECT hits FROM throttle_counters WHERE key = $1 AND window_start = $2")
            .bind(key)
            .bind(to_ms(window_start))
            .fetch_optional(&self.reader)
            .await?;
        Ok(row.map(|row| row.try_get("hits")).transpose()?.unwrap_or(0))
    }

    async fn reset_hits(&self, keys: &[String]) -> Result<()> {
        let mut conn = self.writer.acquire().await?;
        forget_hits(&mut conn, keys).await
    }

    async fn purge_expired_throttles(&self, now: OffsetDateTime) -> Result<u64> {
        let done = sqlx::query("DELETE FROM throttle_counters WHERE expires_at <= $1")
            .bind(to_ms(now))
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected())
    }
}

#[async_trait]
impl AuditLog for SqlStore<Db> {
    async fn append_audit(&self, event: &NewAuditEvent, now: OffsetDateTime) -> Result<AuditEvent> {
        let mut tx = self.writer.begin().await?;
        let appended = insert_audit(&mut tx, event, now).await?;
        tx.commit().await?;
        Ok(appended)
    }

    async fn audit_of_account(&self, account: AccountId, limit: u32) -> Result<Vec<AuditEvent>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            audit_columns!(),
            " FROM audit_events WHERE account_id = $1 ORDER BY at DESC, id DESC LIMIT $2"
        ))
        .bind(account.0)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(audit_from_row).collect()
    }
}

#[async_trait]
impl Health for SqlStore<Db> {
    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        BACKEND
    }
}
