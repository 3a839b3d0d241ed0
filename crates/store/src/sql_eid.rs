// The eID provider's applications, secrets and sign-in lock in SQL, `include!`d after
// `sql_impl.rs` into each backend's module like `sql_oidc.rs` (reusing its imports and
// helpers). Approval and lock counting are single conditional writes, so two nodes racing on
// the same row cannot both win.

use crate::eid_api::EidStore;
use crate::eid_model::{
    ApplicationStatus, EidActivation, EidApplication, EidLevel, EidLockout, EidSecret,
    EidSecretKind, NewEidApplication,
};

macro_rules! application_columns {
    () => {
        "personal_id, full_name, birth_date, gender, phone, level, status, prior_password, \
         created_at, approved_at"
    };
}

fn application_from_row(row: &DbRow) -> Result<EidApplication> {
    const T: &str = "eid_applications";
    let level: i32 = row.try_get("level")?;
    Ok(EidApplication {
        personal_id: parsed(T, "personal_id", row.try_get("personal_id")?, PersonalId::parse)?,
        full_name: row.try_get("full_name")?,
        birth_date: row.try_get("birth_date")?,
        gender: parsed(T, "gender", row.try_get("gender")?, str::parse::<Gender>)?,
        phone: parsed(T, "phone", row.try_get("phone")?, PhoneNumber::parse)?,
        level: u8::try_from(level).ok().and_then(EidLevel::from_number).ok_or_else(|| StoreError::Corrupt {
            table: T,
            column: "level",
            value: level.to_string(),
            reason: "not 1 or 2".to_owned(),
        })?,
        status: parsed(T, "status", row.try_get("status")?, |text: &str| {
            ApplicationStatus::from_stored(text).ok_or("unknown status")
        })?,
        prior_password_phc: row.try_get("prior_password")?,
        created_at: from_ms(T, "created_at", row.try_get("created_at")?)?,
        approved_at: opt_from_ms(T, "approved_at", row.try_get("approved_at")?)?,
    })
}

fn lockout_from_row(row: Option<&DbRow>) -> Result<EidLockout> {
    let Some(row) = row else {
        return Ok(EidLockout { failures: 0, locked_until: None });
    };
    Ok(EidLockout {
        failures: row.try_get("failures")?,
        locked_until: opt_from_ms("eid_lockouts", "locked_until", row.try_get("locked_until")?)?,
    })
}

#[async_trait]
impl EidStore for SqlStore<Db> {
    async fn create_application(
        &self,
        application: &NewEidApplication,
        now: OffsetDateTime,
    ) -> Result<EidApplication> {
        let row = sqlx::query(concat!(
            "INSERT INTO eid_applications (personal_id, full_name, birth_date, gender, phone, level, \
             status, prior_password, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8) \
             ON CONFLICT (personal_id) DO NOTHING RETURNING ",
            application_columns!()
        ))
        .bind(application.personal_id.as_str())
        .bind(application.full_name.as_str())
        .bind(application.birth_date)
        .bind(application.gender.as_str())
        .bind(application.phone.e164())
        .bind(i32::from(application.level.number()))
        .bind(application.prior_password_phc.as_deref())
        .bind(to_ms(now))
        .fetch_optional(&self.writer)
        .await?;
        match row {
            Some(row) => application_from_row(&row),
            None => Err(StoreError::Duplicate { field: crate::UniqueField::PersonalId }),
        }
    }

    async fn application(&self, personal_id: &PersonalId) -> Result<Option<EidApplication>> {
        sqlx::query(concat!(
            "SELECT ",
            application_columns!(),
            " FROM eid_applications WHERE personal_id = $1"
        ))
        .bind(personal_id.as_str())
        .fetch_optional(&self.reader)
        .await?
        .as_ref()
        .map(application_from_row)
        .transpose()
    }

    async fn applications(&self, limit: u32) -> Result<Vec<EidApplication>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            application_columns!(),
            " FROM eid_applications ORDER BY created_at DESC, personal_id LIMIT $1"
        ))
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(application_from_row).collect()
    }

    async fn approve_application(
        &self,
        personal_id: &PersonalId,
        now: OffsetDateTime,
    ) -> Result<Option<EidApplication>> {
        sqlx::query(concat!(
            "UPDATE eid_applications SET status = 'approved', approved_at = $2 \
             WHERE personal_id = $1 AND status = 'pending' RETURNING ",
            application_columns!()
        ))
        .bind(personal_id.as_str())
        .bind(to_ms(now))
        .fetch_optional(&self.writer)
        .await?
        .as_ref()
        .map(application_from_row)
        .transpose()
    }

    async fn activate_eid(&self, activation: &EidActivation, now: OffsetDateTime) -> Result<Account> {
        let mut tx = self.writer.begin().await?;
        let id = AccountId(Uuid::now_v7());
        let account = insert_account(&mut tx, id, &activation.account, now).await?;
        for secret in &activation.secrets {
            sqlx::query(
                "INSERT INTO eid_secrets (account_id, kind, key, secret, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(account.id.0)
            .bind(secret.kind.as_str())
            .bind(secret.key.as_str())
            .bind(secret.secret.as_str())
            .bind(to_ms(now))
            .execute(&mut *tx)
            .await?;
        }
        let details = json!({ "secrets": activation.secrets.len() });
        audit_change(&mut tx, account.id, AuditKind::CredentialAdded, &activation.audit, details, now)
            .await?;
        sqlx::query("DELETE FROM flows WHERE id = $1")
            .bind(activation.flow_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(account)
    }

    async fn eid_secrets(&self, account: AccountId) -> Result<Vec<EidSecret>> {
        let rows = sqlx::query(
            "SELECT kind, key, secret FROM eid_secrets WHERE account_id = $1 ORDER BY kind, key",
        )
        .bind(account.0)
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(EidSecret {
                    kind: parsed("eid_secrets", "kind", row.try_get("kind")?, |text: &str| {
                        EidSecretKind::from_stored(text).ok_or("unknown kind")
                    })?,
                    key: row.try_get("key")?,
                    secret: row.try_get("secret")?,
                })
            })
            .collect()
    }

    async fn eid_lockout(&self, account: AccountId) -> Result<EidLockout> {
        let row = sqlx::query("SELECT failures, locked_until FROM eid_lockouts WHERE account_id = $1")
            .bind(account.0)
            .fetch_optional(&self.reader)
            .await?;
        lockout_from_row(row.as_ref())
    }

    async fn record_eid_failure(
        &self,
        account: AccountId,
        max_failures: i32,
        lock_for: time::Duration,
        now: OffsetDateTime,
    ) -> Result<EidLockout> {
        // One statement: the count and the lock move together, whoever else fails at once.
        let row = sqlx::query(
            "INSERT INTO eid_lockouts (account_id, failures, locked_until) \
             VALUES ($1, CASE WHEN $2 <= 1 THEN 0 ELSE 1 END, CASE WHEN $2 <= 1 THEN $3 ELSE NULL END) \
             ON CONFLICT (account_id) DO UPDATE SET \
             failures = CASE WHEN eid_lockouts.failures + 1 >= $2 THEN 0 ELSE eid_lockouts.failures + 1 END, \
             locked_until = CASE WHEN eid_lockouts.failures + 1 >= $2 THEN $3 ELSE eid_lockouts.locked_until END \
             RETURNING failures, locked_until",
        )
        .bind(account.0)
        .bind(max_failures)
        .bind(to_ms(now + lock_for))
        .fetch_one(&self.writer)
        .await?;
        lockout_from_row(Some(&row))
    }

    async fn clear_eid_failures(&self, account: AccountId) -> Result<()> {
        sqlx::query("DELETE FROM eid_lockouts WHERE account_id = $1")
            .bind(account.0)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}
