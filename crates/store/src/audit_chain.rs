//! The audit trail's hash chains (SPEC A5): what a link is, how its hash is computed, and the
//! signed checkpoints' stored form. The store computes every link inside the transaction that
//! appends the event; `crates/audit` verifies the chains and signs the checkpoints.
//!
//! Events are spread over [`SHARDS`] chains so that PostgreSQL nodes appending at once do not
//! all queue on one head row. An event goes to its account's shard (an account's history is one
//! chain, and a transaction auditing one account locks one head), or, without an account, to a
//! shard picked by its own random id.

use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::model::{AccountId, AuditEvent};

/// How many chains the trail is spread over. Fixed: the migration made one head per shard.
pub const SHARDS: u16 = 16;

/// The `prev_hash` of every shard's first event.
pub const GENESIS: [u8; 32] = [0; 32];

/// The version tag that starts every hashed encoding; a new encoding gets a new tag.
const ENCODING_V1: &[u8] = b"dvcid audit event v1";
const CHECKPOINT_V1: &str = "dvcid audit checkpoint v1";

/// Where an event sits in its chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainLink {
    pub shard: u16,
    /// 1 for a shard's first event.
    pub seq: u64,
    pub prev_hash: [u8; 32],
    pub hash: [u8; 32],
}

/// An event with its link, as verification and export read it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainedEvent {
    pub event: AuditEvent,
    pub link: ChainLink,
}

/// A shard's newest link (`seq` 0 and [`GENESIS`] while the shard is empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainHead {
    pub shard: u16,
    pub seq: u64,
    pub hash: [u8; 32],
}

/// A checkpoint to record: every shard's head, signed by the audit key `key_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditCheckpoint {
    pub at: OffsetDateTime,
    pub key_id: String,
    pub heads: Vec<ChainHead>,
    /// The signature over [`checkpoint_message`] of `at`, `key_id` and `heads`.
    pub signature: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCheckpoint {
    pub id: Uuid,
    pub at: OffsetDateTime,
    pub key_id: String,
    pub heads: Vec<ChainHead>,
    pub signature: Vec<u8>,
}

impl AuditCheckpoint {
    /// The bytes its signature covers.
    pub fn message(&self) -> Vec<u8> {
        checkpoint_message(self.at, &self.key_id, &self.heads)
    }
}

/// The shard of an event: its account's, else its own id's.
pub fn shard_of(account: Option<AccountId>, event_id: Uuid) -> u16 {
    let id = account.map_or(event_id, |account| account.0);
    // The last byte is random in both v4 and v7 UUIDs.
    let last = id.as_bytes().last().copied().unwrap_or(0);
    u16::from(last) % SHARDS
}

/// Milliseconds since the epoch: what the store keeps of an instant, and what is hashed.
fn millis(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// The hash of `event` at `shard`/`seq` after `prev_hash`: SHA-256 over a versioned encoding
/// in which every variable-length field is length-prefixed, so no two events encode alike.
/// `details` is hashed as canonical JSON (keys sorted, no spaces), which PostgreSQL's `jsonb`
/// and SQLite's text both give back unchanged in meaning.
pub fn event_hash(event: &AuditEvent, shard: u16, seq: u64, prev_hash: &[u8; 32]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(ENCODING_V1);
    hasher.update(shard.to_be_bytes());
    hasher.update(seq.to_be_bytes());
    hasher.update(prev_hash);
    hasher.update(event.id.as_bytes());
    hasher.update(millis(event.at).to_be_bytes());
    match event.account_id {
        Some(account) => {
            hasher.update([1]);
            hasher.update(account.0.as_bytes());
        }
        None => hasher.update([0]),
    }
    text(&mut hasher, &event.actor.to_stored());
    text(&mut hasher, event.kind.as_str());
    match &event.client_ip {
        Some(ip) => {
            hasher.update([1]);
            text(&mut hasher, ip);
        }
        None => hasher.update([0]),
    }
    let mut details = String::new();
    canonical_json(&event.details, &mut details);
    text(&mut hasher, &details);
    hasher.finalize().into()
}

fn text(hasher: &mut Sha256, value: &str) {
    hasher.update((value.len() as u64).to_be_bytes());
    hasher.update(value.as_bytes());
}

/// JSON with object keys in byte order and no whitespace, whatever order the value holds.
fn canonical_json(value: &serde_json::Value, out: &mut String) {
    match value {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::String(key.clone()).to_string());
                out.push(':');
                canonical_json(value, out);
            }
            out.push('}');
        }
        serde_json::Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical_json(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// The heads as stored and signed: one line per shard, `shard seq hex-hash`.
pub(crate) fn heads_to_text(heads: &[ChainHead]) -> String {
    heads
        .iter()
        .map(|head| {
            format!(
                "{} {} {}\n",
                head.shard,
                head.seq,
                domain::digest::to_hex(&head.hash)
            )
        })
        .collect()
}

pub(crate) fn heads_from_text(text: &str) -> Option<Vec<ChainHead>> {
    text.lines()
        .map(|line| {
            let mut fields = line.split(' ');
            let shard = fields.next()?.parse().ok()?;
            let seq = fields.next()?.parse().ok()?;
            let hash = hash_from_hex(fields.next()?)?;
            fields
                .next()
                .is_none()
                .then_some(ChainHead { shard, seq, hash })
        })
        .collect()
}

fn hash_from_hex(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut hash = [0u8; 32];
    for (byte, pair) in hash.iter_mut().zip(hex.as_bytes().chunks(2)) {
        let pair = std::str::from_utf8(pair).ok()?;
        *byte = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(hash)
}

/// What a checkpoint's signature covers: the version tag, the instant (to the millisecond, as
/// stored), the signing key's id and the heads.
pub fn checkpoint_message(at: OffsetDateTime, key_id: &str, heads: &[ChainHead]) -> Vec<u8> {
    format!(
        "{CHECKPOINT_V1}\nat {}\nkey {key_id}\n{}",
        millis(at),
        heads_to_text(heads)
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use time::macros::datetime;

    use super::*;
    use crate::model::{Actor, AuditKind};

    fn event(details: serde_json::Value) -> AuditEvent {
        AuditEvent {
            id: Uuid::from_u128(7),
            at: datetime!(2026-12-07 09:00:00.123 UTC),
            account_id: Some(AccountId(Uuid::from_u128(0x1f))),
            kind: AuditKind::SignedIn,
            actor: Actor::Holder,
            client_ip: Some("203.0.113.7".to_owned()),
            details,
        }
    }

    #[test]
    fn key_order_of_details_does_not_change_the_hash() {
        let a: serde_json::Value =
            serde_json::from_str(r#"{"b":1,"a":{"y":[1,2],"x":"é"}}"#).unwrap();
        let b: serde_json::Value =
            serde_json::from_str(r#"{"a":{"x":"é","y":[1,2]},"b":1}"#).unwrap();
        assert_eq!(
            event_hash(&event(a), 1, 1, &GENESIS),
            event_hash(&event(b), 1, 1, &GENESIS)
        );
    }

    #[test]
    fn every_field_and_position_changes_the_hash() {
        let base = event(json!({"method": "password"}));
        let hash = event_hash(&base, 15, 3, &GENESIS);
        assert_ne!(hash, event_hash(&base, 14, 3, &GENESIS));
        assert_ne!(hash, event_hash(&base, 15, 4, &GENESIS));
        assert_ne!(hash, event_hash(&base, 15, 3, &[1; 32]));
        let variants = [
            AuditEvent {
                client_ip: None,
                ..base.clone()
            },
            AuditEvent {
                account_id: None,
                ..base.clone()
            },
            AuditEvent {
                actor: Actor::System,
                ..base.clone()
            },
            AuditEvent {
                kind: AuditKind::SignedOut,
                ..base.clone()
            },
            AuditEvent {
                at: datetime!(2026-12-07 09:00:00.124 UTC),
                ..base.clone()
            },
            AuditEvent {
                details: json!({"method": "otp"}),
                ..base.clone()
            },
        ];
        for variant in variants {
            assert_ne!(hash, event_hash(&variant, 15, 3, &GENESIS), "{variant:?}");
        }
    }

    #[test]
    fn an_account_keeps_one_shard() {
        let account = AccountId(Uuid::from_u128(0x2a));
        assert_eq!(shard_of(Some(account), Uuid::from_u128(1)), 10);
        assert_eq!(shard_of(Some(account), Uuid::from_u128(2)), 10);
        assert_eq!(shard_of(None, Uuid::from_u128(0x13)), 3);
    }

    #[test]
    fn heads_round_trip_through_their_text() {
        let heads = vec![
            ChainHead {
                shard: 0,
                seq: 0,
                hash: GENESIS,
            },
            ChainHead {
                shard: 1,
                seq: 42,
                hash: [0xab; 32],
            },
        ];
        assert_eq!(heads_from_text(&heads_to_text(&heads)), Some(heads));
        assert_eq!(heads_from_text("0 1 zz\n"), None);
    }
}
