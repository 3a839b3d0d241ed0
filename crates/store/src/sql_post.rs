// The Vietnam Post channel's tables in SQL (`post_activations`, `identity_proofing`,
// `unconfirmed_phones`), `include!`d after `sql_impl.rs` into each backend's module like
// `sql_eid.rs`. Using a link and raising a level are single conditional writes, so two nodes
// racing on the same row cannot both win.

use crate::post_api::PostStore;
use crate::post_model::{CounterCheck, CounterProof, IdentityProofing, NewPostActivation, PostActivation};

macro_rules! activation_columns {
    () => {
        "id, token_hash, email, phone, identity, password_phc, created_at, expires_at, used_at"
    };
}

macro_rules! proofing_columns {
    () => {
        "account_id, source, level, recorded_at, proven_at, proven_by, document_number, note"
    };
}

fn activation_from_row(row: &DbRow) -> Result<PostActivation> {
    const T: &str = "post_activations";
    let identity: String = row.try_get("identity")?;
    Ok(PostActivation {
        id: row.try_get("id")?,
        token_hash: row.try_get("token_hash")?,
        identity: serde_json::from_str(&identity).map_err(|error| StoreError::Corrupt {
            table: T,
            column: "identity",
            value: String::new(),
            reason: error.to_string(),
        })?,
        phone: parsed(T, "phone", row.try_get("phone")?, PhoneNumber::parse)?,
        email: parsed(T, "email", row.try_get("email")?, Email::parse)?,
        password_phc: row.try_get("password_phc")?,
        created_at: from_ms(T, "created_at", row.try_get("created_at")?)?,
        expires_at: from_ms(T, "expires_at", row.try_get("expires_at")?)?,
        used_at: opt_from_ms(T, "used_at", row.try_get("used_at")?)?,
    })
}

fn proofing_from_row(row: &DbRow) -> Result<IdentityProofing> {
    const T: &str = "identity_proofing";
    let counter = match opt_from_ms(T, "proven_at", row.try_get("proven_at")?)? {
        Some(at) => Some(CounterCheck {
            at,
            by: row.try_get::<Option<String>, _>("proven_by")?.unwrap_or_default(),
            document_number: row
                .try_get::<Option<String>, _>("document_number")?
                .unwrap_or_default(),
            note: row.try_get::<Option<String>, _>("note")?.unwrap_or_default(),
        }),
        None => None,
    };
    Ok(IdentityProofing {
        account_id: AccountId(row.try_get("account_id")?),
        source: parsed(T, "source", row.try_get("source")?, str::parse::<RegistrationChannel>)?,
        level: parsed(T, "level", row.try_get("level")?, str::parse::<AssuranceLevel>)?,
        recorded_at: from_ms(T, "recorded_at", row.try_get("recorded_at")?)?,
        counter,
    })
}

/// The account, its proofing record at LoA2 and, when no code confirmed its phone yet, that
/// the phone waits for one.
async fn insert_post_account(
    conn: &mut DbConnection,
    new: &NewAccount,
    phone_confirmed: bool,
    now: OffsetDateTime,
) -> Result<Account> {
    let account = insert_account(&mut *conn, AccountId(Uuid::now_v7()), new, now).await?;
    sqlx::query(
        "INSERT INTO identity_proofing (account_id, source, level, recorded_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(account.id.0)
    .bind(RegistrationChannel::VietnamPost.as_str())
    .bind(AssuranceLevel::LoA2.as_str())
    .bind(to_ms(now))
    .execute(&mut *conn)
    .await?;
    if let (false, Some(phone)) = (phone_confirmed, &new.default_phone) {
        sqlx::query("INSERT INTO unconfirmed_phones (account_id, phone) VALUES ($1, $2)")
            .bind(account.id.0)
            .bind(phone.e164())
            .execute(&mut *conn)
            .await?;
    }
    Ok(account)
}

#[async_trait]
impl PostStore for SqlStore<Db> {
    async fn create_post_account(
        &self,
        account: &NewAccount,
        phone_confirmed: bool,
        now: OffsetDateTime,
    ) -> Result<Account> {
        let mut tx = self.writer.begin().await?;
        let account = insert_post_account(&mut tx, account, phone_confirmed, now).await?;
        tx.commit().await?;
        Ok(account)
    }

    async fn create_post_activation(
        &self,
        activation: &NewPostActivation,
        now: OffsetDateTime,
    ) -> Result<()> {
        let identity = serde_json::to_string(&activation.identity).map_err(|error| {
            StoreError::Corrupt {
                table: "post_activations",
                column: "identity",
                value: String::new(),
                reason: error.to_string(),
            }
        })?;
        sqlx::query(
            "INSERT INTO post_activations (id, token_hash, personal_id, email, phone, identity, \
             password_phc, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(activation.id)
        .bind(activation.token_hash.as_slice())
        .bind(activation.identity.personal_id.as_ref().map(PersonalId::as_str).unwrap_or_default())
        .bind(activation.email.as_str())
        .bind(activation.phone.e164())
        .bind(identity)
        .bind(activation.password_phc.as_str())
        .bind(to_ms(now))
        .bind(to_ms(activation.expires_at))
        .execute(&self.writer)
        .await
        .map_err(StoreError::from_insert)?;
        Ok(())
    }

    async fn post_activation(&self, id: Uuid) -> Result<Option<PostActivation>> {
        sqlx::query(concat!("SELECT ", activation_columns!(), " FROM post_activations WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.reader)
            .await?
            .as_ref()
            .map(activation_from_row)
            .transpose()
    }

    async fn activate_post_registration(
        &self,
        id: Uuid,
        audit: &AuditContext,
        now: OffsetDateTime,
    ) -> Result<Account> {
        let mut tx = self.writer.begin().await?;
        let row = sqlx::query(concat!(
            "UPDATE post_activations SET used_at = $2 \
             WHERE id = $1 AND used_at IS NULL AND expires_at > $2 RETURNING ",
            activation_columns!()
        ))
        .bind(id)
        .bind(to_ms(now))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Err(StoreError::Conflict);
        };
        let activation = activation_from_row(&row)?;
        let new = NewAccount {
            kind: AccountKind::Citizen,
            identity: activation.identity,
            email: Some(activation.email),
            registration_channel: RegistrationChannel::VietnamPost,
            default_phone: Some(activation.phone),
            password_phc: Some(activation.password_phc),
            audit: audit.clone(),
        };
        let account = insert_post_account(&mut tx, &new, false, now).await?;
        tx.commit().await?;
        Ok(account)
    }

    async fn identity_proofing(&self, account: AccountId) -> Result<Option<IdentityProofing>> {
        sqlx::query(concat!("SELECT ", proofing_columns!(), " FROM identity_proofing WHERE account_id = $1"))
            .bind(account.0)
            .fetch_optional(&self.reader)
            .await?
            .as_ref()
            .map(proofing_from_row)
            .transpose()
    }

    async fn prove_at_counter(
        &self,
        proof: &CounterProof,
        now: OffsetDateTime,
    ) -> Result<Option<IdentityProofing>> {
        let mut tx = self.writer.begin().await?;
        let row = sqlx::query(concat!(
            "UPDATE identity_proofing SET level = $2, proven_at = $3, proven_by = $4, \
             document_number = $5, note = $6 \
             WHERE account_id = $1 AND source = $7 AND level = $8 RETURNING ",
            proofing_columns!()
        ))
        .bind(proof.account.0)
        .bind(AssuranceLevel::LoA3.as_str())
        .bind(to_ms(now))
        .bind(proof.operator.as_str())
        .bind(proof.document_number.as_str())
        .bind(proof.note.as_str())
        .bind(RegistrationChannel::VietnamPost.as_str())
        .bind(AssuranceLevel::LoA2.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let proofing = proofing_from_row(&row)?;
        let details = json!({
            "source": RegistrationChannel::VietnamPost.as_str(),
            "level": AssuranceLevel::LoA3.as_str(),
            "document_number": proof.document_number,
            "note": proof.note,
        });
        audit_change(&mut tx, proof.account, AuditKind::IdentityProvenAtCounter, &proof.audit, details, now)
            .await?;
        tx.commit().await?;
        Ok(Some(proofing))
    }

    async fn unconfirmed_phones(&self, account: AccountId) -> Result<Vec<PhoneNumber>> {
        let rows = sqlx::query("SELECT phone FROM unconfirmed_phones WHERE account_id = $1 ORDER BY phone")
            .bind(account.0)
            .fetch_all(&self.reader)
            .await?;
        rows.iter()
            .map(|row| parsed("unconfirmed_phones", "phone", row.try_get("phone")?, PhoneNumber::parse))
            .collect()
    }
}
