//! `dvcid audit verify`: walks every shard's chain up to the heads read when it starts (so
//! appends running meanwhile are left for next time), recomputes each event's hash, checks
//! each link and each checkpoint's signature, and that each checkpointed (seq, hash) is on its
//! chain. For each shard it names the first broken event and what is wrong with it.
//!
//! What the chain alone proves: an event edited, deleted from the middle or moved is found.
//! What it needs a checkpoint for: someone able to write the database can recompute every
//! hash after an edit, or delete the newest events and wind the head back; only the signed
//! checkpoints (made with a key the database does not hold) show that, so events after the
//! latest checkpoint are protected by their chain only.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;

use store::Store;
use store::audit_chain::{ChainHead, ChainedEvent, GENESIS, event_hash};
use uuid::Uuid;

use crate::key::AuditPublicKey;

/// Events read per query while walking a shard.
const PAGE: u32 = 1000;

/// The outcome of a verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub events: u64,
    pub shards: usize,
    pub checkpoints: usize,
    /// Empty when intact: at most one per shard (its first broken event), then the
    /// checkpoints that do not verify.
    pub breaches: Vec<Breach>,
}

impl Report {
    pub fn intact(&self) -> bool {
        self.breaches.is_empty()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let summary = format!(
            "{} events in {} shards, {} checkpoints",
            self.events, self.shards, self.checkpoints
        );
        if self.intact() {
            return write!(f, "{summary}: intact");
        }
        write!(f, "{summary}: BROKEN")?;
        for breach in &self.breaches {
            write!(f, "\n{breach}")?;
        }
        Ok(())
    }
}

/// One thing found wrong, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breach {
    /// The event named (the first broken one of its shard), if the breach is at an event.
    pub event: Option<Uuid>,
    pub shard: Option<u16>,
    pub seq: Option<u64>,
    pub kind: BreachKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BreachKind {
    /// Its contents no longer match its hash.
    Edited,
    /// The events at `from..=to` are gone from before it.
    Missing { from: u64, to: u64 },
    /// It is not where its link says it belongs (positions swapped or duplicated).
    Reordered,
    /// Its hash was recomputed after a change (or it was inserted): the next event's link to it
    /// no longer matches.
    Rewritten,
    /// The chain ends at the named event, before `expected` (the head's or a checkpoint's seq).
    Truncated { expected: u64, by: Pin },
    /// A signed checkpoint pinned another hash at this event's position.
    CheckpointMismatch { checkpoint: Uuid },
    /// The shard's head row does not match the chain's last event.
    HeadMismatch,
    /// The checkpoint's signature does not verify under the audit key.
    BadSignature { checkpoint: Uuid },
    /// The checkpoint names a key other than the one verifying.
    UnknownKey { checkpoint: Uuid, key_id: String },
    /// Events without a chain link, written around the store.
    Unchained { count: u64 },
}

/// What says a chain should be longer than it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pin {
    Head,
    Checkpoint(Uuid),
}

impl fmt::Display for Breach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.event, self.shard, self.seq) {
            (Some(event), Some(shard), Some(seq)) => {
                write!(f, "event {event} (shard {shard}, seq {seq}): ")?
            }
            (None, Some(shard), _) => write!(f, "shard {shard}: ")?,
            _ => {}
        }
        match &self.kind {
            BreachKind::Edited => f.write_str("edited: its contents no longer match its hash"),
            BreachKind::Missing { from, to } => write!(
                f,
                "missing events: seq {from} to {to} were deleted from before it"
            ),
            BreachKind::Reordered => {
                f.write_str("reordered: it is not where its link to the previous event puts it")
            }
            BreachKind::Rewritten => f.write_str(
                "rewritten or inserted: its hash was recomputed, so the next event's link no longer matches",
            ),
            BreachKind::Truncated { expected, by } => {
                let by = match by {
                    Pin::Head => "the chain's head".to_owned(),
                    Pin::Checkpoint(id) => format!("checkpoint {id}"),
                };
                write!(
                    f,
                    "truncated: the chain ends here but {by} reaches seq {expected}; the newest events were deleted"
                )
            }
            BreachKind::CheckpointMismatch { checkpoint } => write!(
                f,
                "checkpoint mismatch: checkpoint {checkpoint} signed another hash here; the chain was rewritten"
            ),
            BreachKind::HeadMismatch => {
                f.write_str("head mismatch: the shard's head row does not match its last event")
            }
            BreachKind::BadSignature { checkpoint } => write!(
                f,
                "checkpoint {checkpoint}: its signature does not verify; it was forged or altered"
            ),
            BreachKind::UnknownKey { checkpoint, key_id } => write!(
                f,
                "checkpoint {checkpoint}: signed by another key ({key_id}); verify with that key's public key"
            ),
            BreachKind::Unchained { count } => write!(
                f,
                "{count} events carry no chain link: they were written around the store"
            ),
        }
    }
}

/// Verifies the whole trail. A store error ends it (`Err`); everything found wrong is in the
/// report.
pub async fn verify(store: &dyn Store, key: &AuditPublicKey) -> store::Result<Report> {
    // Checkpoints before heads: every checkpoint read then is at or behind the heads.
    let checkpoints = store.audit_checkpoints().await?;
    let heads = store.audit_chain_heads().await?;
    let mut breaches = Vec::new();
    let mut pins: BTreeMap<(u16, u64), ([u8; 32], Uuid)> = BTreeMap::new();
    for checkpoint in &checkpoints {
        let problem = if checkpoint.key_id != key.id() {
            Some(BreachKind::UnknownKey {
                checkpoint: checkpoint.id,
                key_id: checkpoint.key_id.clone(),
            })
        } else if !key.verifies(&checkpoint.message(), &checkpoint.signature) {
            Some(BreachKind::BadSignature {
                checkpoint: checkpoint.id,
            })
        } else {
            None
        };
        match problem {
            Some(kind) => breaches.push(Breach {
                event: None,
                shard: None,
                seq: None,
                kind,
            }),
            None => {
                for head in checkpoint.heads.iter().filter(|head| head.seq > 0) {
                    pins.entry((head.shard, head.seq))
                        .or_insert((head.hash, checkpoint.id));
                }
            }
        }
    }
    let mut events = 0;
    let mut chain_breaches = Vec::new();
    for head in &heads {
        let shard_pins = pins
            .range((head.shard, 0)..=(head.shard, u64::MAX))
            .map(|(&(_, seq), &pin)| (seq, pin))
            .collect();
        let walked = walk_shard(store, head, &shard_pins).await?;
        events += walked.events;
        chain_breaches.extend(walked.breach);
    }
    chain_breaches.append(&mut breaches);
    let unchained = store.audit_unchained_count().await?;
    if unchained > 0 {
        chain_breaches.push(Breach {
            event: None,
            shard: None,
            seq: None,
            kind: BreachKind::Unchained { count: unchained },
        });
    }
    Ok(Report {
        events,
        shards: heads.len(),
        checkpoints: checkpoints.len(),
        breaches: chain_breaches,
    })
}

struct Walked {
    events: u64,
    breach: Option<Breach>,
}

/// Where the walk of one shard stands: the position and hash the next event must link to.
struct Cursor {
    shard: u16,
    expected_seq: u64,
    expected_prev: [u8; 32],
    previous: Option<Uuid>,
}

impl Cursor {
    fn breach_at(&self, event: &ChainedEvent, kind: BreachKind) -> Breach {
        Breach {
            event: Some(event.event.id),
            shard: Some(self.shard),
            seq: Some(event.link.seq),
            kind,
        }
    }

    /// What is wrong with `current`, the next event of the walk (`next` follows it), if
    /// anything.
    fn judge(&self, current: &ChainedEvent, next: Option<&ChainedEvent>) -> Option<Breach> {
        let link = &current.link;
        if link.seq > self.expected_seq {
            let kind = BreachKind::Missing {
                from: self.expected_seq,
                to: link.seq - 1,
            };
            return Some(self.breach_at(current, kind));
        }
        if link.seq < self.expected_seq {
            return Some(self.breach_at(current, BreachKind::Reordered));
        }
        let intact = event_hash(&current.event, link.shard, link.seq, &link.prev_hash) == link.hash;
        if link.prev_hash != self.expected_prev {
            if next.is_some_and(|next| next.link.prev_hash == self.expected_prev) {
                return Some(self.breach_at(current, BreachKind::Reordered));
            }
            if intact {
                // The link is sound but points elsewhere: the event before it is what changed.
                return Some(match self.previous {
                    Some(previous) => Breach {
                        event: Some(previous),
                        shard: Some(self.shard),
                        seq: Some(link.seq - 1),
                        kind: BreachKind::Rewritten,
                    },
                    None => self.breach_at(current, BreachKind::Rewritten),
                });
            }
            return Some(self.breach_at(current, BreachKind::Edited));
        }
        (!intact).then(|| self.breach_at(current, BreachKind::Edited))
    }
}

async fn walk_shard(
    store: &dyn Store,
    head: &ChainHead,
    pins: &BTreeMap<u64, ([u8; 32], Uuid)>,
) -> store::Result<Walked> {
    let pinned_to = pins.last_key_value().map_or(0, |(&seq, _)| seq);
    let up_to = head.seq.max(pinned_to);
    let mut cursor = Cursor {
        shard: head.shard,
        expected_seq: 1,
        expected_prev: GENESIS,
        previous: None,
    };
    let mut events = 0;
    let mut page: VecDeque<ChainedEvent> = VecDeque::new();
    let mut fetched_to = 0;
    let mut exhausted = false;
    loop {
        // Keep one event of look-ahead: a swapped pair is told by the event after.
        if page.len() < 2 && !exhausted {
            let more = store
                .audit_chain_page(head.shard, fetched_to, up_to, PAGE)
                .await?;
            exhausted = more.len() < PAGE as usize;
            if let Some(last) = more.last() {
                fetched_to = last.link.seq;
            }
            page.extend(more);
        }
        let Some(current) = page.pop_front() else {
            break;
        };
        if let Some(breach) = cursor.judge(&current, page.front()) {
            return Ok(Walked {
                events,
                breach: Some(breach),
            });
        }
        if let Some(&(hash, checkpoint)) = pins.get(&current.link.seq)
            && hash != current.link.hash
        {
            let kind = BreachKind::CheckpointMismatch { checkpoint };
            return Ok(Walked {
                events,
                breach: Some(cursor.breach_at(&current, kind)),
            });
        }
        cursor.expected_seq = current.link.seq + 1;
        cursor.expected_prev = current.link.hash;
        cursor.previous = Some(current.event.id);
        events += 1;
    }
    let last = cursor.expected_seq - 1;
    let truncated = |expected, by| Breach {
        event: cursor.previous,
        shard: Some(head.shard),
        seq: cursor.previous.map(|_| last),
        kind: BreachKind::Truncated { expected, by },
    };
    let breach = if last < head.seq {
        Some(truncated(head.seq, Pin::Head))
    } else if last < pinned_to {
        let checkpoint = pins.get(&pinned_to).map_or(Uuid::nil(), |&(_, id)| id);
        Some(truncated(pinned_to, Pin::Checkpoint(checkpoint)))
    } else if last > head.seq || head.hash != cursor.expected_prev {
        Some(Breach {
            event: cursor.previous,
            shard: Some(head.shard),
            seq: Some(last),
            kind: BreachKind::HeadMismatch,
        })
    } else {
        None
    };
    Ok(Walked { events, breach })
}
