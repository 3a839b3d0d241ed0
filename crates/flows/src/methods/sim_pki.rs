//! Sim ký số (S6): the person types the number of their PKI SIM, confirms the request on the
//! phone with the SIM's PIN, and the portal checks the signature over its own hash, the SIM
//! certificate's chain and revocation, and signs in the account the certificate is bound to.
//!
//! ```text
//! SimPhone ──sim_phone{phone}──▶ Waiting(code) ──poll──▶ Proven (LoA3, sc + pin)
//!   ▲                               │ cancel, refused on the phone, timed out, certificate
//!   └───────────────────────────────┘ refused or not bound: back to the number, with why
//! ```

use domain::{AccountKind, AssuranceLevel, AuthMethod, CredentialKind};

use super::certificate_account::{ByCertificate, KeyHolder};
use super::kind::MethodKind;
use super::method::Descriptor;

pub(crate) type SimPki = ByCertificate<Sim>;

#[derive(Debug, Clone)]
pub(crate) struct Sim;

impl KeyHolder for Sim {
    const DESCRIPTOR: Descriptor = Descriptor {
        kind: MethodKind::SimPki,
        account_kinds: &[AccountKind::Citizen, AccountKind::Business],
        needs: &[CredentialKind::Certificate],
        level: AssuranceLevel::LoA3,
        // The key is on the SIM, a smart card, used with its PIN (RFC 8176).
        amr: &[AuthMethod::Sc, AuthMethod::Pin],
    };
}
