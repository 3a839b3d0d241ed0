//! The provider's signing keys: made with aws-lc-rs, sealed under the key-encryption key before
//! the store sees them, published as a JWKS, rotated on a schedule (published before they sign,
//! unpublished only once every token they signed has expired), and held decrypted in memory so
//! that signing costs no store read.

mod error;
mod generate;
pub mod jwk;
mod ring;
mod schedule;
mod seal;

pub use error::KeyError;
pub use jwk::{JwkError, PublicJwk, read_jwk, read_jwks, thumbprint};
pub use ring::{KeyRing, RELOAD_EVERY, RETIREMENT_MARGIN};
pub use schedule::{KeyInfo, KeyStatus};
pub use seal::SealingKey;
