//! Storing a flow's state: an envelope around the flow's own state enum with what every flow
//! has — the digest of the token that binds it to one browser or app, the captcha in force,
//! and where to return when done.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use store::{AccountId, FlowRecord, NewFlow, StepWrite, Store};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::captcha::Captcha;
use crate::error::FlowError;
use domain::digest::{equal, sha256, to_hex};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Envelope<S> {
    binding: String,
    pub return_to: Option<String>,
    pub captcha: Option<Captcha>,
    pub state: S,
}

pub(crate) struct Loaded<S> {
    pub record: FlowRecord,
    pub envelope: Envelope<S>,
}

pub(crate) struct NewEnvelope<'a, S> {
    pub id: Uuid,
    pub kind: &'a str,
    pub state: S,
    pub binding: &'a [u8; 32],
    pub return_to: Option<String>,
    pub captcha: Option<Captcha>,
    pub account: Option<AccountId>,
    pub expires_at: OffsetDateTime,
}

pub(crate) async fn create<S: Serialize>(
    store: &dyn Store,
    new: NewEnvelope<'_, S>,
    now: OffsetDateTime,
) -> Result<Loaded<S>, FlowError> {
    let NewEnvelope {
        id,
        kind,
        state,
        binding,
        return_to,
        captcha,
        account,
        expires_at,
    } = new;
    let envelope = Envelope {
        binding: to_hex(&sha256(binding)),
        return_to,
        captcha,
        state,
    };
    let record = store
        .create_flow(
            &NewFlow {
                id,
                kind: kind.to_owned(),
                state: serde_json::to_value(&envelope)?,
                account_id: account,
                expires_at,
            },
            now,
        )
        .await?;
    Ok(Loaded { record, envelope })
}

/// The flow if it exists, has not expired, and `binding` is its token.
pub(crate) async fn load(
    store: &dyn Store,
    id: Uuid,
    binding: &[u8; 32],
    now: OffsetDateTime,
) -> Result<FlowRecord, FlowError> {
    let record = store.flow(id, now).await?.ok_or(FlowError::NotFound)?;
    let stored = record
        .state
        .get("binding")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    if equal(stored.as_bytes(), to_hex(&sha256(binding)).as_bytes()) {
        Ok(record)
    } else {
        Err(FlowError::NotFound)
    }
}

pub(crate) fn open<S: DeserializeOwned>(record: FlowRecord) -> Result<Loaded<S>, FlowError> {
    let envelope = serde_json::from_value(record.state.clone())?;
    Ok(Loaded { record, envelope })
}

/// Saves the new state and the step's writes together (one transaction).
pub(crate) async fn save<S: Serialize>(
    store: &dyn Store,
    loaded: &mut Loaded<S>,
    writes: &[StepWrite],
    now: OffsetDateTime,
) -> Result<(), FlowError> {
    let mut record = loaded.record.clone();
    record.state = serde_json::to_value(&loaded.envelope)?;
    let expected = record.version;
    loaded.record = store.save_step(&record, expected, writes, now).await?;
    Ok(())
}
