//! Conversions between stored columns and model values, shared by both backends.

use std::fmt::Display;

use time::OffsetDateTime;

use crate::error::{Result, StoreError};

/// Instants are stored as milliseconds since the Unix epoch (see the migrations).
pub(crate) fn to_ms(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

pub(crate) fn from_ms(
    table: &'static str,
    column: &'static str,
    ms: i64,
) -> Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).map_err(|error| {
        StoreError::Corrupt {
            table,
            column,
            value: ms.to_string(),
            reason: error.to_string(),
        }
    })
}

pub(crate) fn opt_from_ms(
    table: &'static str,
    column: &'static str,
    ms: Option<i64>,
) -> Result<Option<OffsetDateTime>> {
    ms.map(|ms| from_ms(table, column, ms)).transpose()
}

/// Parses a stored text column into its domain type; a value that no longer parses is
/// reported as corruption rather than passed on.
pub(crate) fn parsed<T, E: Display>(
    table: &'static str,
    column: &'static str,
    value: String,
    parse: impl FnOnce(&str) -> std::result::Result<T, E>,
) -> Result<T> {
    parse(&value).map_err(|error| StoreError::Corrupt {
        table,
        column,
        reason: error.to_string(),
        value,
    })
}

pub(crate) fn opt_parsed<T, E: Display>(
    table: &'static str,
    column: &'static str,
    value: Option<String>,
    parse: impl FnOnce(&str) -> std::result::Result<T, E>,
) -> Result<Option<T>> {
    value
        .map(|value| parsed(table, column, value, parse))
        .transpose()
}

/// Authentication methods are stored space-separated: RFC 8176 names have no spaces.
pub(crate) fn amr_to_stored(amr: &[String]) -> String {
    amr.join(" ")
}

pub(crate) fn amr_from_stored(stored: &str) -> Vec<String> {
    stored.split_whitespace().map(str::to_owned).collect()
}

macro_rules! account_columns {
    () => {
        "id, kind, personal_id, legacy_cmnd, tax_code, full_name, birth_date, gender, email, \
         status, registration_channel, created_at, updated_at"
    };
}

macro_rules! flow_columns {
    () => {
        "id, kind, state, account_id, version, created_at, updated_at, expires_at"
    };
}

macro_rules! otp_columns {
    () => {
        "id, flow_id, purpose, phone, code_mac, attempts, max_attempts, sends, last_sent_at, \
         expires_at, consumed_at, created_at"
    };
}

macro_rules! session_columns {
    () => {
        "id, account_id, acr, amr, auth_time, client_ip, user_agent, created_at, last_seen_at, \
         idle_expires_at, absolute_expires_at"
    };
}

macro_rules! audit_columns {
    () => {
        "id, at, account_id, actor, event, client_ip, details"
    };
}

pub(crate) use {account_columns, audit_columns, flow_columns, otp_columns, session_columns};
