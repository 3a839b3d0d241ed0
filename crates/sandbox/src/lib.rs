//! The other side of every external-system protocol dvcid speaks (population database,
//! telecom subscribers, BHXH, the business registry, SMS gateway, SMTP, the certificate
//! authorities' OCSP and CRLs, the carriers' mobile signature service, the remote signing
//! service VNPT SmartCA), answered from deterministic synthetic people and businesses, so that the demo and the tests run the real clients of `connectors` and `pki`.
//!
//! The protocols are written down in `PROTOCOL.md` beside this crate.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod bhxh;
mod business_registry;
pub mod businesses;
mod control;
mod email;
mod error;
pub mod mssp;
mod outbox;
pub mod people;
mod people_api;
pub mod pki;
mod population;
mod relying_party;
mod smartca;
mod sms;
mod smtp;
mod state;
mod style;
mod subscribers;
mod wire;

pub use businesses::{Business, BusinessStatus, SyntheticBusinesses};
pub use control::{Mode, System};
pub use email::EmailMessage;
pub use mssp::{NoSuchSim, PhoneMode, PhoneRequest, SimCard};
pub use people::{DEFAULT_COUNT, DEFAULT_SEED, DemoIdentity, DemoRole, Person, SyntheticPeople};
pub use smartca::{
    RemoteSigningMode, RemoteSigningRequest, SMARTCA_CLIENT_ID, SMARTCA_CLIENT_SECRET,
    SMARTCA_NO_CREDENTIAL, SMARTCA_PASSWORD, SignInRefused, SmartCaUser, TransactionStatus,
};
pub use sms::SmsMessage;
pub use smtp::serve_smtp;
pub use state::{DEFAULT_OUTBOX_CAPACITY, Sandbox};

use std::sync::Arc;

/// Every sandbox route, under the prefix `/sandbox`, with the state applied so that it can be
/// merged into the main application or served alone.
pub fn router(sandbox: Arc<Sandbox>) -> axum::Router {
    axum::Router::new()
        .merge(population::routes(&sandbox))
        .merge(subscribers::routes(&sandbox))
        .merge(bhxh::routes(&sandbox))
        .merge(business_registry::routes(&sandbox))
        .merge(pki::routes(&sandbox))
        .merge(mssp::routes(&sandbox))
        .merge(sms::routes(&sandbox))
        .merge(smartca::routes(&sandbox))
        .merge(email::routes())
        .merge(people_api::routes())
        .merge(control::routes())
        .merge(relying_party::routes())
        .merge(style::routes())
        .with_state(sandbox)
}
