//! USB ký số (S7): the person's local signing agent signs a challenge with the certificate on
//! their token, after the PIN typed in the agent's own window; the portal checks the Web eID
//! token, the certificate's chain and revocation, and signs in the account the certificate is
//! bound to. The certificate identifies the person: nothing is typed on the portal's page.
//!
//! ```text
//! Agent(challenge) ──agent_response──▶ Proven (LoA3, hwk + pin)
//!   ▲      │ refused, expired or unbound: a fresh challenge
//!   └──────┘
//! ```

use domain::{AccountKind, AssuranceLevel, AuthMethod, CredentialKind};

use super::certificate_account::{ByCertificate, KeyHolder};
use super::kind::MethodKind;
use super::method::Descriptor;

pub(crate) type UsbToken = ByCertificate<Token>;

#[derive(Debug, Clone)]
pub(crate) struct Token;

impl KeyHolder for Token {
    const DESCRIPTOR: Descriptor = Descriptor {
        kind: MethodKind::UsbToken,
        account_kinds: &[AccountKind::Citizen, AccountKind::Business],
        needs: &[CredentialKind::Certificate],
        level: AssuranceLevel::LoA3,
        amr: &[AuthMethod::Hwk, AuthMethod::Pin],
    };
}
