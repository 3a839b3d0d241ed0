//! Pure types and rules of dvcid: identifiers that parse or refuse, account kinds, assurance
//! levels, the password policy, and injected time. No I/O.
//!
//! Every identifier type parses from user input (trimmed, common separators accepted) into its
//! normalised form, or refuses it with an [`Invalid`] naming the broken rule. A value of one of
//! these types is therefore always valid; handlers past the edge never see raw strings.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod clock;
pub mod digest;
pub mod eid;
pub mod email;
pub mod error;
pub mod inspect;
pub mod legacy;
pub mod password;
pub mod personal_id;
pub mod phone;
pub mod province;
pub mod random;
pub mod secret;
pub mod tax_code;
pub mod vocab;

mod identifier;
mod text;

pub use clock::{Clock, ManualClock, SystemClock};
pub use eid::EidLevel;
pub use email::Email;
pub use error::{Invalid, Vocabulary};
pub use inspect::{Inspection, inspect};
pub use legacy::{BhxhCode, LegacyCmnd};
pub use password::{PasswordContext, PasswordPolicy};
pub use personal_id::PersonalId;
pub use phone::{Carrier, PhoneNumber};
pub use province::{PROVINCES, Province, province_by_code};
pub use secret::Secret;
pub use tax_code::TaxCode;
pub use vocab::{
    AccountKind, AccountStatus, AssuranceLevel, AuthMethod, CredentialKind, Gender, IdentifierKind,
    OperatorRole, RegistrationChannel,
};
