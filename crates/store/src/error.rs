use thiserror::Error;

/// What can go wrong in the store. Refusals a caller acts on (a duplicate account, removing the
/// last phone, a lost update) are their own variants; everything else is `Database`.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("an account with this {field} already exists")]
    Duplicate { field: UniqueField },
    #[error("a client with this client_id already exists")]
    ClientExists,
    #[error("the {what} does not exist")]
    NotFound { what: &'static str },
    #[error("the last OTP phone of an account cannot be removed")]
    LastPhone,
    #[error("an organisation must keep at least one administrator")]
    LastAdministrator,
    #[error("the flow was changed by another request")]
    Conflict,
    #[error("stored value {value:?} in {table}.{column} is not valid: {reason}")]
    Corrupt {
        table: &'static str,
        column: &'static str,
        value: String,
        reason: String,
    },
    #[error("the database refused the configuration: {0}")]
    Configuration(String),
    #[error("the database URL is not understood: {0}")]
    Url(String),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// The unique keys of an account (SPEC A2, R8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UniqueField {
    PersonalId,
    LegacyCmnd,
    TaxCode,
    /// A certificate, federated identity or passkey already bound to an account.
    Credential,
    /// A state agency's identifier code (organisations).
    AgencyCode,
}

impl std::fmt::Display for UniqueField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::PersonalId => "personal ID",
            Self::LegacyCmnd => "CMND number",
            Self::TaxCode => "tax code",
            Self::Credential => "credential",
            Self::AgencyCode => "agency code",
        })
    }
}

impl StoreError {
    /// Turns a unique-constraint violation on `accounts` into `Duplicate`; both SQLite and
    /// PostgreSQL name the column (SQLite in the message, PostgreSQL in the constraint name).
    pub(crate) fn from_insert(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &error
            && db.is_unique_violation()
        {
            let name = db.constraint().unwrap_or_else(|| db.message()).to_owned();
            let field = if name.contains("personal_id") {
                Some(UniqueField::PersonalId)
            } else if name.contains("legacy_cmnd") {
                Some(UniqueField::LegacyCmnd)
            } else if name.contains("tax_code") {
                Some(UniqueField::TaxCode)
            } else if name.contains("agency_codes") {
                Some(UniqueField::AgencyCode)
            } else if name.contains("credentials") {
                Some(UniqueField::Credential)
            } else {
                None
            };
            if let Some(field) = field {
                return Self::Duplicate { field };
            }
        }
        Self::Database(error)
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
