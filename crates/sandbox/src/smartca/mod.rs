//! The remote signing service (VNPT SmartCA, giả lập): its sign-in page and OAuth 2.0 token
//! endpoint (`oauth`), the gateway's `csc/...` API (`csc`), the signing transactions
//! (`transactions`), and a page standing in for the person's SmartCA app (`app`).
//!
//! Its users are the holders of the sandbox certificates kept by the service
//! ([`KeyHolder::Remote`]), signed in by personal ID and one published password, plus one
//! person without a certificate. Codes, tokens and transactions live in memory, bounded.

mod app;
mod books;
mod csc;
mod oauth;
mod transactions;

use std::sync::Arc;

use axum::middleware::from_fn_with_state;
use domain::PersonalId;
use serde::{Deserialize, Serialize};

pub use oauth::SignInRefused;
pub(crate) use oauth::sign_in_at;
pub use transactions::{RemoteSigningRequest, TransactionStatus};

pub(crate) use books::Books;

use crate::control::{System, gate};
use crate::people::DemoRole;
use crate::pki::{CertificateRole, Holder, IssuedCertificate, KeyHolder};
use crate::state::Sandbox;

/// The portal's client registration at the sandbox SmartCA (published: sandbox only).
pub const SMARTCA_CLIENT_ID: &str = "dvcid-sandbox";
pub const SMARTCA_CLIENT_SECRET: &str = "sandbox-smartca-secret";
/// Every sandbox SmartCA user's password (published on the sign-in page: sandbox only).
pub const SMARTCA_PASSWORD: &str = "SmartCA@2024";
/// The person who can sign in at the sandbox SmartCA but holds no certificate there.
pub const SMARTCA_NO_CREDENTIAL: DemoRole = DemoRole::PhoneRegistration;

/// How the simulated app answers a user's signing requests: a person pressing the buttons
/// (`manual`), or at once, for tests (the rule is in `PROTOCOL.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemoteSigningMode {
    #[default]
    Manual,
    Approve,
    Refuse,
    Expire,
}

impl RemoteSigningMode {
    pub fn as_str(self) -> &'static str {
        match self {
            RemoteSigningMode::Manual => "manual",
            RemoteSigningMode::Approve => "approve",
            RemoteSigningMode::Refuse => "refuse",
            RemoteSigningMode::Expire => "expire",
        }
    }
}

/// A sandbox SmartCA user: signed in by personal ID, with the certificate the service holds.
#[derive(Debug, Clone, Copy)]
pub struct SmartCaUser<'a> {
    pub personal_id: &'a PersonalId,
    pub full_name: &'a str,
    /// `None` for [`SMARTCA_NO_CREDENTIAL`].
    pub certificate: Option<&'a IssuedCertificate>,
}

impl SmartCaUser<'_> {
    /// The credential's id at the service.
    pub fn credential_id(&self) -> Option<String> {
        self.certificate.map(credential_id)
    }
}

pub(crate) fn credential_id(issued: &IssuedCertificate) -> String {
    format!("sca-{}", issued.serial_hex.to_ascii_lowercase())
}

/// Every user: the remote certificates' holders, then the person without one.
pub(crate) fn users(sandbox: &Sandbox) -> Vec<SmartCaUser<'_>> {
    let holders = sandbox
        .pki()
        .into_iter()
        .flat_map(|pki| pki.issued())
        .filter(|issued| issued.role.key_holder() == KeyHolder::Remote)
        .filter_map(|issued| match &issued.holder {
            Holder::Citizen {
                personal_id,
                full_name,
            } => Some(SmartCaUser {
                personal_id,
                full_name,
                certificate: Some(issued),
            }),
            Holder::Organisation { .. } => None,
        });
    let without = sandbox
        .people()
        .demo(SMARTCA_NO_CREDENTIAL)
        .map(|person| SmartCaUser {
            personal_id: &person.personal_id,
            full_name: &person.full_name,
            certificate: None,
        });
    holders.chain(without).collect()
}

pub(crate) fn user<'a>(sandbox: &'a Sandbox, id: &PersonalId) -> Option<SmartCaUser<'a>> {
    users(sandbox)
        .into_iter()
        .find(|user| user.personal_id == id)
}

/// The certificate of `role`, for signing and for `credentials/info`.
pub(crate) fn certificate(sandbox: &Sandbox, role: CertificateRole) -> Option<&IssuedCertificate> {
    sandbox.pki().and_then(|pki| pki.certificate(role))
}

pub(crate) fn routes(sandbox: &Arc<Sandbox>) -> axum::Router<Arc<Sandbox>> {
    // The service's own endpoints answer to failure injection; the app page is the person's
    // phone, which stays up.
    let service = oauth::routes()
        .merge(csc::routes())
        .route_layer(from_fn_with_state(
            (Arc::clone(sandbox), System::SmartCa),
            gate,
        ));
    axum::Router::new().merge(service).merge(app::routes())
}

#[cfg(test)]
mod tests;
