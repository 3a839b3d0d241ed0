//! Bulk loading of citizens' accounts, for scale benchmarks (`dvcid seed`): the rows a
//! registration by phone writes — the account, its default OTP phone, its password — many
//! thousand at a time into the schema the migrations made. PostgreSQL takes them through
//! `COPY`, SQLite through multi-row inserts; one transaction per call either way.
//!
//! Unlike `AccountStore::create_account` no `account_registered` audit event is written: the
//! audit chain is hashed event by event, and the sign-in path never reads old events.

use domain::{
    AccountKind, AccountStatus, CredentialKind, Gender, PersonalId, PhoneNumber,
    RegistrationChannel,
};
use sqlx::QueryBuilder;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::convert::to_ms;
use crate::error::{Result, StoreError};
use crate::{Backend, SqlStore};

/// A citizen registered by phone, as the bulk loader writes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkCitizen {
    pub id: Uuid,
    pub personal_id: PersonalId,
    pub full_name: String,
    pub birth_date: Date,
    pub gender: Gender,
    pub phone: PhoneNumber,
}

/// Rows per multi-row `INSERT` on SQLite: 13 parameters a row stays far below its limit of
/// 32,766 bound parameters.
const SQLITE_ROWS_PER_INSERT: usize = 1_000;

/// A database opened for bulk loading.
#[derive(Debug)]
pub enum BulkLoader {
    Sqlite(SqlStore<sqlx::Sqlite>),
    Postgres(SqlStore<sqlx::Postgres>),
}

impl BulkLoader {
    /// Opens the database `url` names and applies the pending migrations.
    pub async fn open(url: &str) -> Result<Self> {
        Ok(match Backend::of_url(url)? {
            Backend::Sqlite => {
                let store = crate::sqlite::connect(url).await?;
                store.migrate().await?;
                Self::Sqlite(store)
            }
            Backend::Postgres => {
                let store = crate::postgres::connect(url, 1).await?;
                store.migrate().await?;
                Self::Postgres(store)
            }
        })
    }

    /// Inserts `citizens`, each with `password_phc` as its password hash, in one transaction;
    /// a personal ID or account id already there fails it whole.
    pub async fn insert_citizens(
        &self,
        citizens: &[BulkCitizen],
        password_phc: &str,
        now: OffsetDateTime,
    ) -> Result<()> {
        match self {
            Self::Sqlite(store) => {
                store
                    .bulk_insert_citizens(citizens, password_phc, now)
                    .await
            }
            Self::Postgres(store) => {
                store
                    .bulk_insert_citizens(citizens, password_phc, now)
                    .await
            }
        }
    }
}

impl SqlStore<sqlx::Postgres> {
    async fn bulk_insert_citizens(
        &self,
        citizens: &[BulkCitizen],
        password_phc: &str,
        now: OffsetDateTime,
    ) -> Result<()> {
        let now = to_ms(now).to_string();
        let mut accounts = String::new();
        let mut credentials = String::new();
        for citizen in citizens {
            let id = citizen.id.to_string();
            let birth_date = iso_date(citizen.birth_date);
            push_copy_line(
                &mut accounts,
                &[
                    Some(&id),
                    Some(AccountKind::Citizen.as_str()),
                    Some(citizen.personal_id.as_str()),
                    Some(&citizen.full_name),
                    Some(&birth_date),
                    Some(citizen.gender.as_str()),
                    Some(AccountStatus::Active.as_str()),
                    Some(RegistrationChannel::MobileSubscriber.as_str()),
                    Some(&now),
                    Some(&now),
                ],
            );
            let phone = [
                Some(id.as_str()),
                Some(CredentialKind::OtpPhone.as_str()),
                Some(citizen.phone.e164()),
                None,
                Some("t"),
                Some(&now),
            ];
            push_copy_line(&mut credentials, &phone);
            let password = [
                Some(id.as_str()),
                Some(CredentialKind::Password.as_str()),
                Some(""),
                Some(password_phc),
                Some("f"),
                Some(&now),
            ];
            push_copy_line(&mut credentials, &password);
        }
        let mut tx = self.writer.begin().await?;
        for (table, rows) in [
            (
                concat!(
                    "COPY accounts (",
                    account_columns_written!(),
                    ") FROM STDIN"
                ),
                accounts,
            ),
            (
                concat!(
                    "COPY credentials (",
                    credential_columns_written!(),
                    ") FROM STDIN"
                ),
                credentials,
            ),
        ] {
            let mut copy = tx.copy_in_raw(table).await?;
            copy.send(rows.into_bytes())
                .await
                .map_err(StoreError::from_insert)?;
            copy.finish().await.map_err(StoreError::from_insert)?;
        }
        tx.commit().await?;
        Ok(())
    }
}

impl SqlStore<sqlx::Sqlite> {
    async fn bulk_insert_citizens(
        &self,
        citizens: &[BulkCitizen],
        password_phc: &str,
        now: OffsetDateTime,
    ) -> Result<()> {
        let now = to_ms(now);
        let mut tx = self.writer.begin().await?;
        for chunk in citizens.chunks(SQLITE_ROWS_PER_INSERT) {
            let mut insert = QueryBuilder::<sqlx::Sqlite>::new(concat!(
                "INSERT INTO accounts (",
                account_columns_written!(),
                ") "
            ));
            insert.push_values(chunk, |mut row, citizen| {
                row.push_bind(citizen.id)
                    .push_bind(AccountKind::Citizen.as_str())
                    .push_bind(citizen.personal_id.as_str().to_owned())
                    .push_bind(citizen.full_name.clone())
                    .push_bind(citizen.birth_date)
                    .push_bind(citizen.gender.as_str())
                    .push_bind(AccountStatus::Active.as_str())
                    .push_bind(RegistrationChannel::MobileSubscriber.as_str())
                    .push_bind(now)
                    .push_bind(now);
            });
            insert
                .build()
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from_insert)?;
            let mut insert = QueryBuilder::<sqlx::Sqlite>::new(concat!(
                "INSERT INTO credentials (",
                credential_columns_written!(),
                ") "
            ));
            let rows = chunk.iter().flat_map(|citizen| {
                [
                    (
                        citizen.id,
                        CredentialKind::OtpPhone,
                        citizen.phone.e164().to_owned(),
                        None,
                        true,
                    ),
                    (
                        citizen.id,
                        CredentialKind::Password,
                        String::new(),
                        Some(password_phc.to_owned()),
                        false,
                    ),
                ]
            });
            insert.push_values(rows, |mut row, (id, kind, key, secret, is_default)| {
                row.push_bind(id)
                    .push_bind(kind.as_str())
                    .push_bind(key)
                    .push_bind(secret)
                    .push_bind(is_default)
                    .push_bind(now);
            });
            insert.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// The columns of `accounts` a registration by phone sets (the others stay NULL).
macro_rules! account_columns_written {
    () => {
        "id, kind, personal_id, full_name, birth_date, gender, status, registration_channel, \
         created_at, updated_at"
    };
}
use account_columns_written;

macro_rules! credential_columns_written {
    () => {
        "account_id, kind, key, secret, is_default, created_at"
    };
}
use credential_columns_written;

/// `YYYY-MM-DD`, the text form of a calendar date.
fn iso_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Appends one line of `COPY … FROM STDIN` in its text format: tab-separated, `\N` for NULL,
/// backslash, tab and line breaks escaped (no name or hash holds them, but the format is not
/// to be trusted to the data).
fn push_copy_line(out: &mut String, fields: &[Option<&str>]) {
    for (index, field) in fields.iter().enumerate() {
        if index > 0 {
            out.push('\t');
        }
        let Some(text) = field else {
            out.push_str("\\N");
            continue;
        };
        for c in text.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                other => out.push(other),
            }
        }
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_lines_escape_the_separators_and_write_null() {
        let mut out = String::new();
        push_copy_line(&mut out, &[Some("a\tb\\c\nd"), Some("7"), None]);
        push_copy_line(&mut out, &[Some("")]);
        assert_eq!(out, "a\\tb\\\\c\\nd\t7\t\\N\n\n");
    }

    #[test]
    fn dates_are_iso_with_padding() {
        let date = Date::from_calendar_date(987, time::Month::March, 4).unwrap();
        assert_eq!(iso_date(date), "0987-03-04");
    }
}
