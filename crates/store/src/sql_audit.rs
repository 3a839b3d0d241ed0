// The audit trail's hash chains in SQL, shared by both backends like sql_impl.rs (which it
// extends: `include!`d after it into the same module). See audit_chain.rs for the model.

use crate::api::AuditChainStore;
use crate::audit_chain::{
    AuditCheckpoint, ChainHead, ChainLink, ChainedEvent, NewAuditCheckpoint, event_hash,
    heads_from_text, heads_to_text, shard_of,
};

/// How many unchained events the upgrade chains per read.
const SEAL_BATCH: i64 = 500;

/// Appends `event` as the next link of its shard's chain, in the caller's transaction. The
/// head row stays locked until that transaction ends, so the shard's appends are serialised
/// while other shards' go on; one `UPDATE … RETURNING` both locks the head and takes the
/// next sequence number (SQLite has no `FOR UPDATE`, and needs none: it has one writer).
async fn insert_audit(
    conn: &mut DbConnection,
    event: &NewAuditEvent,
    now: OffsetDateTime,
) -> Result<AuditEvent> {
    let appended = AuditEvent {
        id: Uuid::now_v7(),
        // What the row will give back: the instant to the millisecond.
        at: from_ms("audit_events", "at", to_ms(now))?,
        account_id: event.account_id,
        kind: event.kind,
        actor: event.context.actor.clone(),
        client_ip: event.context.client_ip.clone(),
        details: event.details.clone(),
    };
    let link = next_link(conn, &appended).await?;
    sqlx::query(
        "INSERT INTO audit_events (id, at, account_id, actor, event, client_ip, details, \
         shard, seq, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(appended.id)
    .bind(to_ms(appended.at))
    .bind(appended.account_id.map(|id| id.0))
    .bind(appended.actor.to_stored())
    .bind(appended.kind.as_str())
    .bind(appended.client_ip.as_deref())
    .bind(Json(&appended.details))
    .bind(i32::from(link.shard))
    .bind(stored_seq(link.seq))
    .bind(link.prev_hash.as_slice())
    .bind(link.hash.as_slice())
    .execute(&mut *conn)
    .await?;
    Ok(appended)
}

/// Takes the next position in the event's shard (locking its head) and moves the head to it.
async fn next_link(conn: &mut DbConnection, event: &AuditEvent) -> Result<ChainLink> {
    const T: &str = "audit_chain_heads";
    let shard = shard_of(event.account_id, event.id);
    let head = sqlx::query(
        "UPDATE audit_chain_heads SET seq = seq + 1 WHERE shard = $1 RETURNING seq, hash",
    )
    .bind(i32::from(shard))
    .fetch_one(&mut *conn)
    .await?;
    let seq = chain_seq(T, head.try_get("seq")?)?;
    let prev_hash = chain_hash(T, "hash", head.try_get("hash")?)?;
    let hash = event_hash(event, shard, seq, &prev_hash);
    sqlx::query("UPDATE audit_chain_heads SET hash = $2 WHERE shard = $1")
        .bind(i32::from(shard))
        .bind(hash.as_slice())
        .execute(&mut *conn)
        .await?;
    Ok(ChainLink { shard, seq, prev_hash, hash })
}

fn stored_seq(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

fn chain_seq(table: &'static str, seq: i64) -> Result<u64> {
    u64::try_from(seq).map_err(|error| StoreError::Corrupt {
        table,
        column: "seq",
        value: seq.to_string(),
        reason: error.to_string(),
    })
}

fn chain_hash(table: &'static str, column: &'static str, bytes: Vec<u8>) -> Result<[u8; 32]> {
    <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| StoreError::Corrupt {
        table,
        column,
        value: domain::digest::to_hex(&bytes),
        reason: "not a SHA-256 hash".to_owned(),
    })
}

fn chained_from_row(row: &DbRow) -> Result<ChainedEvent> {
    const T: &str = "audit_events";
    let shard: i32 = row.try_get("shard")?;
    Ok(ChainedEvent {
        event: audit_from_row(row)?,
        link: ChainLink {
            shard: u16::try_from(shard).map_err(|error| StoreError::Corrupt {
                table: T,
                column: "shard",
                value: shard.to_string(),
                reason: error.to_string(),
            })?,
            seq: chain_seq(T, row.try_get("seq")?)?,
            prev_hash: chain_hash(T, "prev_hash", row.try_get("prev_hash")?)?,
            hash: chain_hash(T, "hash", row.try_get("hash")?)?,
        },
    })
}

fn checkpoint_from_row(row: &DbRow) -> Result<AuditCheckpoint> {
    const T: &str = "audit_checkpoints";
    Ok(AuditCheckpoint {
        id: row.try_get("id")?,
        at: from_ms(T, "at", row.try_get("at")?)?,
        key_id: row.try_get("key_id")?,
        heads: parsed(T, "heads", row.try_get("heads")?, |text| {
            heads_from_text(text).ok_or("not `shard seq hash` lines")
        })?,
        signature: row.try_get("signature")?,
    })
}

impl SqlStore<Db> {
    /// Chains the events written before the chain existed (or by an older dvcid since), in
    /// time order, as if they had been appended now; run after migrations. Idempotent.
    pub(crate) async fn seal_unchained_audit_events(&self) -> Result<u64> {
        let mut tx = self.writer.begin().await?;
        let mut sealed = 0;
        loop {
            let rows = sqlx::query(concat!(
                "SELECT ",
                audit_columns!(),
                " FROM audit_events WHERE hash IS NULL ORDER BY at, id LIMIT $1"
            ))
            .bind(SEAL_BATCH)
            .fetch_all(&mut *tx)
            .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let event = audit_from_row(row)?;
                let link = next_link(&mut tx, &event).await?;
                sqlx::query(
                    "UPDATE audit_events SET shard = $2, seq = $3, prev_hash = $4, hash = $5 \
                     WHERE id = $1",
                )
                .bind(event.id)
                .bind(i32::from(link.shard))
                .bind(stored_seq(link.seq))
                .bind(link.prev_hash.as_slice())
                .bind(link.hash.as_slice())
                .execute(&mut *tx)
                .await?;
                sealed += 1;
            }
        }
        tx.commit().await?;
        Ok(sealed)
    }
}

macro_rules! chained_columns {
    () => {
        concat!(audit_columns!(), ", shard, seq, prev_hash, hash")
    };
}

#[async_trait]
impl AuditChainStore for SqlStore<Db> {
    async fn audit_chain_heads(&self) -> Result<Vec<ChainHead>> {
        const T: &str = "audit_chain_heads";
        let rows = sqlx::query("SELECT shard, seq, hash FROM audit_chain_heads ORDER BY shard")
            .fetch_all(&self.reader)
            .await?;
        rows.iter()
            .map(|row| {
                let shard: i32 = row.try_get("shard")?;
                Ok(ChainHead {
                    shard: u16::try_from(shard).map_err(|error| StoreError::Corrupt {
                        table: T,
                        column: "shard",
                        value: shard.to_string(),
                        reason: error.to_string(),
                    })?,
                    seq: chain_seq(T, row.try_get("seq")?)?,
                    hash: chain_hash(T, "hash", row.try_get("hash")?)?,
                })
            })
            .collect()
    }

    async fn audit_chain_page(
        &self,
        shard: u16,
        after_seq: u64,
        up_to_seq: u64,
        limit: u32,
    ) -> Result<Vec<ChainedEvent>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            chained_columns!(),
            " FROM audit_events WHERE shard = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4"
        ))
        .bind(i32::from(shard))
        .bind(stored_seq(after_seq))
        .bind(stored_seq(up_to_seq))
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(chained_from_row).collect()
    }

    async fn audit_unchained_count(&self) -> Result<u64> {
        let count: i64 = sqlx::query("SELECT COUNT(*) AS n FROM audit_events WHERE hash IS NULL")
            .fetch_one(&self.reader)
            .await?
            .try_get("n")?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn audit_events_page(
        &self,
        since: OffsetDateTime,
        until: OffsetDateTime,
        after: Option<(OffsetDateTime, Uuid)>,
        limit: u32,
    ) -> Result<Vec<ChainedEvent>> {
        let (after_at, after_id) = after.map_or((i64::MIN, Uuid::nil()), |(at, id)| (to_ms(at), id));
        let rows = sqlx::query(concat!(
            "SELECT ",
            chained_columns!(),
            " FROM audit_events WHERE at >= $1 AND at < $2 AND hash IS NOT NULL \
             AND (at > $3 OR (at = $3 AND id > $4)) ORDER BY at, id LIMIT $5"
        ))
        .bind(to_ms(since))
        .bind(to_ms(until))
        .bind(after_at)
        .bind(after_id)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(chained_from_row).collect()
    }

    async fn record_audit_checkpoint(&self, checkpoint: &NewAuditCheckpoint) -> Result<bool> {
        let recorded = sqlx::query(
            "INSERT INTO audit_checkpoints (id, at, key_id, heads, signature) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (heads) DO NOTHING",
        )
        .bind(Uuid::now_v7())
        .bind(to_ms(checkpoint.at))
        .bind(&checkpoint.key_id)
        .bind(heads_to_text(&checkpoint.heads))
        .bind(checkpoint.signature.as_slice())
        .execute(&self.writer)
        .await?
        .rows_affected();
        Ok(recorded == 1)
    }

    async fn audit_checkpoints(&self) -> Result<Vec<AuditCheckpoint>> {
        let rows = sqlx::query(
            "SELECT id, at, key_id, heads, signature FROM audit_checkpoints ORDER BY at, id",
        )
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(checkpoint_from_row).collect()
    }

    async fn latest_audit_checkpoint(&self) -> Result<Option<AuditCheckpoint>> {
        let row = sqlx::query(
            "SELECT id, at, key_id, heads, signature FROM audit_checkpoints \
             ORDER BY at DESC, id DESC LIMIT 1",
        )
        .fetch_optional(&self.reader)
        .await?;
        row.as_ref().map(checkpoint_from_row).transpose()
    }
}
