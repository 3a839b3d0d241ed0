//! Signed checkpoints: every shard's head at an instant, signed with the audit key. A
//! checkpoint pins the chains: rewriting a chain (even with hashes recomputed) or deleting its
//! newest events no longer matches what was signed.

use std::sync::Arc;
use std::time::Duration;

use domain::Clock;
use store::Store;
use store::audit_chain::{NewAuditCheckpoint, checkpoint_message};

use crate::key::AuditKey;

/// What `make_checkpoint` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checkpointed {
    /// A new checkpoint of these heads was recorded.
    Recorded { events: u64 },
    /// Nothing was appended since the latest checkpoint, or another node just recorded the
    /// same heads: there was nothing new to sign.
    Unchanged,
}

/// Signs the current heads and records them, unless the latest checkpoint already says the
/// same. Safe to run on every node at once: a checkpoint of heads already recorded is skipped
/// by the store, not refused.
pub async fn make_checkpoint(
    store: &dyn Store,
    key: &AuditKey,
    now: time::OffsetDateTime,
) -> store::Result<Checkpointed> {
    let heads = store.audit_chain_heads().await?;
    let latest = store.latest_audit_checkpoint().await?;
    if latest.is_some_and(|latest| latest.heads == heads) {
        return Ok(Checkpointed::Unchanged);
    }
    let key_id = key.public().id().to_owned();
    let signature = key.sign(&checkpoint_message(now, &key_id, &heads));
    let events = heads.iter().map(|head| head.seq).sum();
    let checkpoint = NewAuditCheckpoint {
        at: now,
        key_id,
        heads,
        signature,
    };
    Ok(if store.record_audit_checkpoint(&checkpoint).await? {
        Checkpointed::Recorded { events }
    } else {
        Checkpointed::Unchanged
    })
}

/// Makes a checkpoint every `every`, for as long as the process runs (`dvcid serve` and
/// `dvcid demo`); a failure is logged and retried at the next tick.
pub async fn run_checkpoints(
    store: Arc<dyn Store>,
    key: Arc<AuditKey>,
    clock: Arc<dyn Clock>,
    every: Duration,
) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match make_checkpoint(store.as_ref(), &key, clock.now()).await {
            Ok(Checkpointed::Recorded { events }) => {
                tracing::info!(events, "audit checkpoint recorded")
            }
            Ok(Checkpointed::Unchanged) => tracing::debug!("audit checkpoint: nothing new"),
            Err(error) => tracing::warn!(%error, "audit checkpoint failed"),
        }
    }
}
