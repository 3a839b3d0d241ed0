//! The audit trail's tamper evidence (SPEC A5) beyond what the store does on every append:
//! the Ed25519 key that signs checkpoints, making checkpoints (on demand and on a schedule),
//! verifying every chain against its checkpoints, and exporting events as JSON lines.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod checkpoint;
mod export;
mod key;
mod verify;

pub use checkpoint::{Checkpointed, make_checkpoint, run_checkpoints};
pub use export::{ExportError, export};
pub use key::{AuditKey, AuditPublicKey, KeyError};
pub use verify::{Breach, BreachKind, Pin, Report, verify};
