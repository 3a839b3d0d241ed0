// Organisations' members, invitations and the sessions' acting-for in SQL, `include!`d after
// `sql_impl.rs` into each backend's module like `sql_eid.rs` (reusing its imports and helpers).
// Every change to an organisation's members first touches the organisation's account row: that
// write lock (on both backends) serialises them, so the last-administrator rule holds even
// when two administrators act at once.

use crate::org_api::OrganisationStore;
use crate::org_model::{ActingFor, Invitation, Membership, NewInvitation, OrgRole};

macro_rules! member_columns {
    () => {
        "organisation_id, member_id, role, added_by, added_at"
    };
}

/// The session `$1` while live at `$2`.
macro_rules! live_session {
    () => {
        "id = $1 AND revoked_at IS NULL AND idle_expires_at > $2 AND absolute_expires_at > $2"
    };
}

macro_rules! invitation_columns {
    () => {
        "id, organisation_id, personal_id, role, invited_by, created_at, expires_at"
    };
}

fn role_from_row(table: &'static str, row: &DbRow) -> Result<OrgRole> {
    parsed(table, "role", row.try_get("role")?, |text: &str| {
        OrgRole::parse(text).ok_or("unknown role")
    })
}

fn membership_from_row(row: &DbRow) -> Result<Membership> {
    const T: &str = "organisation_members";
    Ok(Membership {
        organisation_id: AccountId(row.try_get("organisation_id")?),
        member_id: AccountId(row.try_get("member_id")?),
        role: role_from_row(T, row)?,
        added_by: row.try_get::<Option<Uuid>, _>("added_by")?.map(AccountId),
        added_at: from_ms(T, "added_at", row.try_get("added_at")?)?,
    })
}

fn invitation_from_row(row: &DbRow) -> Result<Invitation> {
    const T: &str = "organisation_invitations";
    Ok(Invitation {
        id: row.try_get("id")?,
        organisation_id: AccountId(row.try_get("organisation_id")?),
        personal_id: parsed(T, "personal_id", row.try_get("personal_id")?, PersonalId::parse)?,
        role: role_from_row(T, row)?,
        invited_by: row.try_get::<Option<Uuid>, _>("invited_by")?.map(AccountId),
        created_at: from_ms(T, "created_at", row.try_get("created_at")?)?,
        expires_at: from_ms(T, "expires_at", row.try_get("expires_at")?)?,
    })
}

/// Takes the organisation's row lock for the rest of the transaction (see the top).
async fn lock_organisation(conn: &mut DbConnection, organisation: AccountId, now: OffsetDateTime) -> Result<()> {
    let done = sqlx::query("UPDATE accounts SET updated_at = $2 WHERE id = $1 AND kind <> 'citizen'")
        .bind(organisation.0)
        .bind(to_ms(now))
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound { what: "organisation" });
    }
    Ok(())
}

async fn member_row(conn: &mut DbConnection, organisation: AccountId, member: AccountId) -> Result<Option<Membership>> {
    sqlx::query(concat!(
        "SELECT ",
        member_columns!(),
        " FROM organisation_members WHERE organisation_id = $1 AND member_id = $2"
    ))
    .bind(organisation.0)
    .bind(member.0)
    .fetch_optional(&mut *conn)
    .await?
    .as_ref()
    .map(membership_from_row)
    .transpose()
}

async fn administrators(conn: &mut DbConnection, organisation: AccountId) -> Result<i64> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM organisation_members WHERE organisation_id = $1 AND role = 'administrator'",
    )
    .bind(organisation.0)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("n")?)
}

/// A change of the member's standing, refused when it would take away the organisation's last
/// administrator (`leaves_administrators`: the member's role after it is not administrator).
async fn check_last_administrator(
    conn: &mut DbConnection,
    current: &Membership,
    leaves_administrators: bool,
) -> Result<()> {
    if current.role == OrgRole::Administrator
        && leaves_administrators
        && administrators(conn, current.organisation_id).await? <= 1
    {
        return Err(StoreError::LastAdministrator);
    }
    Ok(())
}

/// A membership change, on the organisation's trail and on the member's own.
async fn audit_membership(
    conn: &mut DbConnection,
    membership: (AccountId, AccountId),
    kind: AuditKind,
    context: &AuditContext,
    extra: serde_json::Value,
    now: OffsetDateTime,
) -> Result<()> {
    let (organisation, member) = membership;
    let mut fields = serde_json::Map::new();
    fields.insert("organisation".to_owned(), json!(organisation.0));
    fields.insert("member".to_owned(), json!(member.0));
    if let serde_json::Value::Object(extra) = extra {
        fields.extend(extra);
    }
    let details = serde_json::Value::Object(fields);
    // Two trails lock two chain heads: take them in shard order, so that two membership
    // changes crossing each other's shards on PostgreSQL wait instead of deadlocking.
    let mut trails = [organisation, member];
    trails.sort_by_key(|account| shard_of(Some(*account), Uuid::nil()));
    for account in trails {
        audit_change(conn, account, kind, context, details.clone(), now).await?;
    }
    Ok(())
}

async fn insert_member(
    conn: &mut DbConnection,
    organisation: AccountId,
    member: AccountId,
    role: OrgRole,
    added_by: Option<AccountId>,
    now: OffsetDateTime,
) -> Result<Option<Membership>> {
    sqlx::query(concat!(
        "INSERT INTO organisation_members (organisation_id, member_id, role, added_by, added_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (organisation_id, member_id) DO NOTHING RETURNING ",
        member_columns!()
    ))
    .bind(organisation.0)
    .bind(member.0)
    .bind(role.as_str())
    .bind(added_by.map(|id| id.0))
    .bind(to_ms(now))
    .fetch_optional(&mut *conn)
    .await?
    .as_ref()
    .map(membership_from_row)
    .transpose()
}

async fn first_administrator(
    conn: &mut DbConnection,
    organisation: AccountId,
    member: AccountId,
    audit: &AuditContext,
    now: OffsetDateTime,
) -> Result<bool> {
    lock_organisation(conn, organisation, now).await?;
    if administrators(conn, organisation).await? > 0 {
        return Ok(false);
    }
    // A member in another role who is now made the first administrator keeps one row.
    sqlx::query("DELETE FROM organisation_members WHERE organisation_id = $1 AND member_id = $2")
        .bind(organisation.0)
        .bind(member.0)
        .execute(&mut *conn)
        .await?;
    insert_member(conn, organisation, member, OrgRole::Administrator, None, now).await?;
    let details = json!({ "role": OrgRole::Administrator.as_str(), "first_administrator": true });
    audit_membership(conn, (organisation, member), AuditKind::MemberAdded, audit, details, now).await?;
    Ok(true)
}

#[async_trait]
impl OrganisationStore for SqlStore<Db> {
    async fn members(&self, organisation: AccountId) -> Result<Vec<Membership>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            member_columns!(),
            " FROM organisation_members WHERE organisation_id = $1 \
             ORDER BY CASE role WHEN 'administrator' THEN 0 WHEN 'submitter' THEN 1 ELSE 2 END, added_at, member_id"
        ))
        .bind(organisation.0)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(membership_from_row).collect()
    }

    async fn memberships_of(&self, member: AccountId) -> Result<Vec<Membership>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            member_columns!(),
            " FROM organisation_members WHERE member_id = $1 ORDER BY added_at, organisation_id"
        ))
        .bind(member.0)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(membership_from_row).collect()
    }

    async fn membership(&self, organisation: AccountId, member: AccountId) -> Result<Option<Membership>> {
        let mut conn = self.reader.acquire().await?;
        member_row(&mut conn, organisation, member).await
    }

    async fn add_first_administrator(
        &self,
        organisation: AccountId,
        member: AccountId,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let mut tx = self.writer.begin().await?;
        let added = first_administrator(&mut tx, organisation, member, audit, now).await?;
        tx.commit().await?;
        Ok(added)
    }

    async fn create_agency(
        &self,
        agency: &NewAccount,
        code: &str,
        administrator: AccountId,
        now: OffsetDateTime,
    ) -> Result<Account> {
        let mut tx = self.writer.begin().await?;
        let account = insert_account(&mut tx, AccountId(Uuid::now_v7()), agency, now).await?;
        sqlx::query("INSERT INTO agency_codes (account_id, code) VALUES ($1, $2)")
            .bind(account.id.0)
            .bind(code)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from_insert)?;
        first_administrator(&mut tx, account.id, administrator, &agency.audit, now).await?;
        tx.commit().await?;
        Ok(account)
    }

    async fn agency_code(&self, agency: AccountId) -> Result<Option<String>> {
        let row = sqlx::query("SELECT code FROM agency_codes WHERE account_id = $1")
            .bind(agency.0)
            .fetch_optional(&self.reader)
            .await?;
        Ok(row.map(|row| row.try_get("code")).transpose()?)
    }

    async fn agency_by_code(&self, code: &str) -> Result<Option<Account>> {
        sqlx::query(concat!(
            "SELECT ",
            account_columns!(),
            " FROM accounts WHERE id = (SELECT account_id FROM agency_codes WHERE code = $1)"
        ))
        .bind(code)
        .fetch_optional(&self.reader)
        .await?
        .as_ref()
        .map(account_from_row)
        .transpose()
    }

    async fn create_invitation(
        &self,
        invitation: &NewInvitation,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<Invitation> {
        let mut tx = self.writer.begin().await?;
        lock_organisation(&mut tx, invitation.organisation_id, now).await?;
        let row = sqlx::query(concat!(
            "INSERT INTO organisation_invitations (id, token_hash, organisation_id, personal_id, role, \
             invited_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ",
            invitation_columns!()
        ))
        .bind(invitation.id)
        .bind(invitation.token_hash.as_slice())
        .bind(invitation.organisation_id.0)
        .bind(invitation.personal_id.as_str())
        .bind(invitation.role.as_str())
        .bind(invitation.invited_by.0)
        .bind(to_ms(now))
        .bind(to_ms(invitation.expires_at))
        .fetch_one(&mut *tx)
        .await?;
        let created = invitation_from_row(&row)?;
        // The invitation's row names the invitee; the trail need not repeat the personal ID.
        let details = json!({
            "invitation": invitation.id,
            "role": invitation.role.as_str(),
            "by": invitation.invited_by.0,
        });
        audit_change(&mut tx, invitation.organisation_id, AuditKind::MemberInvited, audit, details, now).await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn open_invitations(&self, organisation: AccountId, now: OffsetDateTime) -> Result<Vec<Invitation>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            invitation_columns!(),
            " FROM organisation_invitations WHERE organisation_id = $1 AND closed_at IS NULL \
             AND expires_at > $2 ORDER BY created_at DESC, id"
        ))
        .bind(organisation.0)
        .bind(to_ms(now))
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(invitation_from_row).collect()
    }

    async fn invitation_by_token(&self, token_hash: &[u8; 32], now: OffsetDateTime) -> Result<Option<Invitation>> {
        sqlx::query(concat!(
            "SELECT ",
            invitation_columns!(),
            " FROM organisation_invitations WHERE token_hash = $1 AND closed_at IS NULL AND expires_at > $2"
        ))
        .bind(token_hash.as_slice())
        .bind(to_ms(now))
        .fetch_optional(&self.reader)
        .await?
        .as_ref()
        .map(invitation_from_row)
        .transpose()
    }

    async fn accept_invitation(
        &self,
        token_hash: &[u8; 32],
        personal_id: &PersonalId,
        member: AccountId,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<Option<Membership>> {
        let mut tx = self.writer.begin().await?;
        // One conditional write spends the token: of two acceptances at once, one wins.
        let row = sqlx::query(concat!(
            "UPDATE organisation_invitations SET closed_at = $3 WHERE token_hash = $1 \
             AND personal_id = $2 AND closed_at IS NULL AND expires_at > $3 RETURNING ",
            invitation_columns!()
        ))
        .bind(token_hash.as_slice())
        .bind(personal_id.as_str())
        .bind(to_ms(now))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let invitation = invitation_from_row(&row)?;
        lock_organisation(&mut tx, invitation.organisation_id, now).await?;
        let inserted = insert_member(
            &mut tx,
            invitation.organisation_id,
            member,
            invitation.role,
            invitation.invited_by,
            now,
        )
        .await?;
        let Some(membership) = inserted else {
            return Err(StoreError::Duplicate { field: crate::UniqueField::PersonalId });
        };
        let details = json!({ "role": invitation.role.as_str(), "invitation": invitation.id });
        audit_membership(&mut tx, (invitation.organisation_id, member), AuditKind::MemberAdded, audit, details, now)
            .await?;
        tx.commit().await?;
        Ok(Some(membership))
    }

    async fn withdraw_invitation(
        &self,
        organisation: AccountId,
        id: Uuid,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let mut tx = self.writer.begin().await?;
        let done = sqlx::query(
            "UPDATE organisation_invitations SET closed_at = $3 \
             WHERE id = $1 AND organisation_id = $2 AND closed_at IS NULL AND expires_at > $3",
        )
        .bind(id)
        .bind(organisation.0)
        .bind(to_ms(now))
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        let details = json!({ "invitation": id });
        audit_change(&mut tx, organisation, AuditKind::InvitationWithdrawn, audit, details, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn change_member_role(
        &self,
        organisation: AccountId,
        member: AccountId,
        role: OrgRole,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        lock_organisation(&mut tx, organisation, now).await?;
        let current = member_row(&mut tx, organisation, member)
            .await?
            .ok_or(StoreError::NotFound { what: "member" })?;
        if current.role == role {
            return Ok(());
        }
        check_last_administrator(&mut tx, &current, role != OrgRole::Administrator).await?;
        sqlx::query("UPDATE organisation_members SET role = $3 WHERE organisation_id = $1 AND member_id = $2")
            .bind(organisation.0)
            .bind(member.0)
            .bind(role.as_str())
            .execute(&mut *tx)
            .await?;
        let details = json!({ "from": current.role.as_str(), "role": role.as_str() });
        audit_membership(&mut tx, (organisation, member), AuditKind::MemberRoleChanged, audit, details, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn remove_member(
        &self,
        organisation: AccountId,
        member: AccountId,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        lock_organisation(&mut tx, organisation, now).await?;
        let current = member_row(&mut tx, organisation, member)
            .await?
            .ok_or(StoreError::NotFound { what: "member" })?;
        check_last_administrator(&mut tx, &current, true).await?;
        sqlx::query("DELETE FROM organisation_members WHERE organisation_id = $1 AND member_id = $2")
            .bind(organisation.0)
            .bind(member.0)
            .execute(&mut *tx)
            .await?;
        // Tokens are checked against the membership too; this ends what the pages show.
        sqlx::query("UPDATE sessions SET acting_for = NULL WHERE account_id = $1 AND acting_for = $2")
            .bind(member.0)
            .bind(organisation.0)
            .execute(&mut *tx)
            .await?;
        let details = json!({ "role": current.role.as_str() });
        audit_membership(&mut tx, (organisation, member), AuditKind::MemberRemoved, audit, details, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn acting_for(&self, session: Uuid, now: OffsetDateTime) -> Result<Option<ActingFor>> {
        let row = sqlx::query(
            "SELECT acting_for, acting_chosen FROM sessions WHERE id = $1 AND revoked_at IS NULL \
             AND idle_expires_at > $2 AND absolute_expires_at > $2",
        )
        .bind(session)
        .bind(to_ms(now))
        .fetch_optional(&self.reader)
        .await?;
        row.map(|row| {
            Ok(ActingFor {
                chosen: row.try_get("acting_chosen")?,
                organisation_id: row.try_get::<Option<Uuid>, _>("acting_for")?.map(AccountId),
            })
        })
        .transpose()
    }

    async fn choose_acting_for(
        &self,
        session: Uuid,
        organisation: Option<AccountId>,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let mut tx = self.writer.begin().await?;
        let row = match organisation {
            None => {
                sqlx::query(concat!(
                    "UPDATE sessions SET acting_for = NULL, acting_chosen = TRUE WHERE ",
                    live_session!(),
                    " RETURNING account_id"
                ))
                .bind(session)
                .bind(to_ms(now))
                .fetch_optional(&mut *tx)
                .await?
            }
            Some(organisation) => {
                sqlx::query(concat!(
                    "UPDATE sessions SET acting_for = $3, acting_chosen = TRUE WHERE ",
                    live_session!(),
                    " AND EXISTS (SELECT 1 FROM organisation_members m WHERE m.organisation_id = $3 \
                     AND m.member_id = sessions.account_id) RETURNING account_id"
                ))
                .bind(session)
                .bind(to_ms(now))
                .bind(organisation.0)
                .fetch_optional(&mut *tx)
                .await?
            }
        };
        let Some(row) = row else {
            return Ok(false);
        };
        let account = AccountId(row.try_get("account_id")?);
        let details = json!({ "session": session, "organisation": organisation.map(|id| id.0) });
        let context = AuditContext { actor: Actor::Holder, client_ip: None };
        audit_change(&mut tx, account, AuditKind::ActingForChosen, &context, details, now).await?;
        tx.commit().await?;
        Ok(true)
    }
}
