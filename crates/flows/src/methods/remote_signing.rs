//! Ký số từ xa, VNPT SmartCA (S8): the person signs in at the remote signing service (OAuth2
//! authorisation code with PKCE; the service says which certificate is theirs), approves the
//! request pushed to its app, and the portal checks the signature over its own hash, the
//! certificate's chain and revocation, and signs in the account the certificate is bound to.
//!
//! ```text
//! Out(url) ──callback{code,state}──▶ Waiting(code) ──poll──▶ Proven (LoA3, swk + pin)
//!   ▲                                   │ cancel, refused in the app, timed out, certificate
//!   └───────────────────────────────────┘ refused or not bound: out again, with why
//! ```

use domain::{AccountKind, AssuranceLevel, AuthMethod, CredentialKind};

use super::certificate_account::{ByCertificate, KeyHolder};
use super::kind::MethodKind;
use super::method::Descriptor;

pub(crate) type RemoteSigning = ByCertificate<Remote>;

#[derive(Debug, Clone)]
pub(crate) struct Remote;

impl KeyHolder for Remote {
    const DESCRIPTOR: Descriptor = Descriptor {
        kind: MethodKind::RemoteSigning,
        account_kinds: &[AccountKind::Citizen],
        needs: &[CredentialKind::Certificate],
        level: AssuranceLevel::LoA3,
        // The person proves the app on their phone (a software key) and its PIN; the signing
        // key itself stays in the service's HSM (RFC 8176).
        amr: &[AuthMethod::Swk, AuthMethod::Pin],
    };
}
