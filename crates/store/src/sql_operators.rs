// Operator roles and the operator console's look-ups in SQL, `include!`d after `sql_impl.rs`
// into each backend's module like `sql_eid.rs` (reusing its imports and helpers). A grant is
// one conditional insert against the partial unique index, so two administrators granting at
// once write one grant and one event.

use domain::OperatorRole;

use crate::operator_api::{OperatorStore, PhoneReset};
use crate::operator_model::RoleGrant;

fn role_grant_from_row(row: &DbRow) -> Result<RoleGrant> {
    const T: &str = "operator_roles";
    Ok(RoleGrant {
        account_id: AccountId(row.try_get("account_id")?),
        role: parsed(T, "role", row.try_get("role")?, str::parse::<OperatorRole>)?,
        granted_by: parsed(T, "granted_by", row.try_get("granted_by")?, |text: &str| {
            Actor::from_stored(text).ok_or("unknown actor")
        })?,
        granted_at: from_ms(T, "granted_at", row.try_get("granted_at")?)?,
    })
}

/// Live grants in a stable order: the roles' declaration order within an account.
fn sorted_role_grants(rows: &[DbRow]) -> Result<Vec<RoleGrant>> {
    let mut grants = rows.iter().map(role_grant_from_row).collect::<Result<Vec<_>>>()?;
    grants.sort_by_key(|grant| (grant.account_id.0, grant.role));
    Ok(grants)
}

#[async_trait]
impl OperatorStore for SqlStore<Db> {
    async fn grant_role(
        &self,
        account: AccountId,
        role: OperatorRole,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let mut tx = self.writer.begin().await?;
        let granted = sqlx::query(
            "INSERT INTO operator_roles (id, account_id, role, granted_by, granted_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(Uuid::now_v7())
        .bind(account.0)
        .bind(role.as_str())
        .bind(audit.actor.to_stored())
        .bind(to_ms(now))
        .fetch_optional(&mut *tx)
        .await?;
        if granted.is_none() {
            return Ok(false);
        }
        let details = json!({ "role": role.as_str() });
        audit_change(&mut tx, account, AuditKind::OperatorRoleGranted, audit, details, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn revoke_role(
        &self,
        account: AccountId,
        role: OperatorRole,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let mut tx = self.writer.begin().await?;
        let revoked = sqlx::query(
            "UPDATE operator_roles SET revoked_by = $3, revoked_at = $4 \
             WHERE account_id = $1 AND role = $2 AND revoked_at IS NULL",
        )
        .bind(account.0)
        .bind(role.as_str())
        .bind(audit.actor.to_stored())
        .bind(to_ms(now))
        .execute(&mut *tx)
        .await?;
        if revoked.rows_affected() == 0 {
            return Ok(false);
        }
        let details = json!({ "role": role.as_str() });
        audit_change(&mut tx, account, AuditKind::OperatorRoleRevoked, audit, details, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn roles_of(&self, account: AccountId) -> Result<Vec<RoleGrant>> {
        let rows = sqlx::query(
            "SELECT account_id, role, granted_by, granted_at FROM operator_roles \
             WHERE account_id = $1 AND revoked_at IS NULL",
        )
        .bind(account.0)
        .fetch_all(&self.reader)
        .await?;
        sorted_role_grants(&rows)
    }

    async fn role_grants(&self) -> Result<Vec<RoleGrant>> {
        let rows = sqlx::query(
            "SELECT account_id, role, granted_by, granted_at FROM operator_roles \
             WHERE revoked_at IS NULL",
        )
        .fetch_all(&self.reader)
        .await?;
        sorted_role_grants(&rows)
    }

    async fn accounts_by_phone(&self, phone: &PhoneNumber) -> Result<Vec<Account>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            account_columns!(),
            " FROM accounts WHERE id IN (SELECT account_id FROM credentials \
             WHERE kind = 'otp_phone' AND key = $1) ORDER BY created_at, id"
        ))
        .bind(phone.e164())
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(account_from_row).collect()
    }

    async fn reset_otp_phone(
        &self,
        reset: &PhoneReset<'_>,
        now: OffsetDateTime,
    ) -> Result<Option<PhoneNumber>> {
        let mut tx = self.writer.begin().await?;
        let exists = sqlx::query("SELECT 1 FROM accounts WHERE id = $1")
            .bind(reset.account.0)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound { what: "account" });
        }
        let replaced = swap_default_phone(&mut tx, reset.account, reset.phone, now).await?;
        let replaced = replaced
            .map(|e164| parsed("credentials", "key", e164, |text: &str| PhoneNumber::parse(text)))
            .transpose()?;
        // A lost-phone change still waiting would otherwise replace the phone just checked.
        sqlx::query("DELETE FROM phone_changes WHERE account_id = $1")
            .bind(reset.account.0)
            .execute(&mut *tx)
            .await?;
        let details = json!({
            "phone": reset.phone.masked(),
            "replaced": replaced.as_ref().map(PhoneNumber::masked),
            "reason": reset.reason,
            "document": reset.document,
        });
        audit_change(&mut tx, reset.account, AuditKind::OtpPhoneReset, reset.audit, details, now)
            .await?;
        tx.commit().await?;
        Ok(replaced)
    }
}
