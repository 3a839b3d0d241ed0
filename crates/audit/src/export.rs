//! `dvcid audit export`: events as JSON lines for a SIEM, oldest first, read page by page so
//! that a year of events never sits in memory.

use std::io::Write;

use serde_json::json;
use store::Store;
use store::audit_chain::ChainedEvent;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const PAGE: u32 = 1000;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("cannot write the export: {0}")]
    Write(#[from] std::io::Error),
}

/// Writes every chained event with `since <= at < until` to `out`, one JSON object a line, in
/// (`at`, `id`) order; returns how many.
pub async fn export(
    store: &dyn Store,
    since: OffsetDateTime,
    until: OffsetDateTime,
    out: &mut (dyn Write + Send),
) -> Result<u64, ExportError> {
    let mut written = 0;
    let mut after = None;
    loop {
        let page = store.audit_events_page(since, until, after, PAGE).await?;
        for event in &page {
            serde_json::to_writer(&mut *out, &line(event)).map_err(std::io::Error::from)?;
            out.write_all(b"\n")?;
            written += 1;
        }
        match page.last() {
            Some(last) if page.len() == PAGE as usize => {
                after = Some((last.event.at, last.event.id))
            }
            _ => break,
        }
    }
    out.flush()?;
    Ok(written)
}

fn line(chained: &ChainedEvent) -> serde_json::Value {
    let event = &chained.event;
    json!({
        "id": event.id,
        "at": event.at.format(&Rfc3339).unwrap_or_else(|_| event.at.to_string()),
        "account": event.account_id.map(|id| id.0),
        "actor": event.actor.to_stored(),
        "kind": event.kind.as_str(),
        "client_ip": event.client_ip,
        "details": event.details,
        "shard": chained.link.shard,
        "seq": chained.link.seq,
        "hash": domain::digest::to_hex(&chained.link.hash),
        "prev_hash": domain::digest::to_hex(&chained.link.prev_hash),
    })
}
