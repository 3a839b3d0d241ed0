//! Sign-in methods: one module each, plugged into the sign-in flow (Kratos's strategies, with
//! Kanidm's one closed enum of handlers). A method says which account kinds and credentials it
//! applies to, the level and RFC 8176 `amr` it proves, and runs its own steps until it either
//! goes on or has `Proven` who the person is. Adding a method is its module, its name in
//! `kind.rs`, its line in the `methods!` table below (the compiler asks for both), and its
//! templates and translations.

use domain::{AccountKind, CredentialKind};
use serde::{Deserialize, Serialize};
use store::Credential;

use crate::error::FlowError;
use crate::flow::Ctx;
use crate::services::Services;
use crate::view::{Action, Step};

pub(crate) mod certificate_account;
pub(crate) mod kind;
pub(crate) mod method;
pub(crate) mod password_sms;
pub(crate) mod remote_signing;
pub(crate) mod sim_pki;
#[cfg(feature = "test-methods")]
pub(crate) mod totp;
pub(crate) mod usb_token;
pub(crate) mod vneid;

pub use kind::MethodKind;
pub use method::Descriptor;
pub(crate) use method::{Begin, Evidence, Method, Progress};

/// Declares the running state of each method (`MethodState`, stored in the sign-in flow) and
/// the dispatch to it. Every `MethodKind` must have a line here: the matches are exhaustive.
macro_rules! methods {
    ( $( $(#[$meta:meta])* $variant:ident($state:ty) ),+ $(,)? ) => {
        #[derive(Debug, Clone, Serialize, Deserialize)]
        #[serde(tag = "method", content = "state", rename_all = "snake_case")]
        pub(crate) enum MethodState {
            $( $(#[$meta])* $variant($state) ),+
        }

        /// What the method is and proves.
        pub fn descriptor(kind: MethodKind) -> Descriptor {
            match kind { $( $(#[$meta])* MethodKind::$variant => <$state as Method>::DESCRIPTOR ),+ }
        }

        pub(crate) fn begin(kind: MethodKind, begin: &Begin, services: &Services) -> MethodState {
            match kind {
                $( $(#[$meta])* MethodKind::$variant => MethodState::$variant(<$state as Method>::begin(begin, services)) ),+
            }
        }

        impl MethodState {
            pub fn kind(&self) -> MethodKind {
                match self { $( $(#[$meta])* Self::$variant(_) => MethodKind::$variant ),+ }
            }

            pub fn step(&self, services: &Services) -> Step {
                match self { $( $(#[$meta])* Self::$variant(state) => state.step(services) ),+ }
            }

            pub async fn act(&mut self, ctx: &mut Ctx<'_>, action: Action) -> Result<Progress, FlowError> {
                match self { $( $(#[$meta])* Self::$variant(state) => state.act(ctx, action).await ),+ }
            }
        }
    };
}

methods! {
    PasswordSms(password_sms::PasswordSms),
    UsbToken(usb_token::UsbToken),
    SimPki(sim_pki::SimPki),
    RemoteSigning(remote_signing::RemoteSigning),
    Vneid(vneid::Vneid),
    #[cfg(feature = "test-methods")]
    Totp(totp::Totp),
}

/// The methods this deployment runs: every one built in, but those whose outside parts are
/// not configured (certificates need trust anchors; a SIM, the carriers' signature service;
/// remote signing, its service).
pub(crate) fn enabled(services: &Services) -> Vec<MethodKind> {
    MethodKind::all()
        .into_iter()
        .filter(|method| match method {
            MethodKind::UsbToken => services.certificates.is_some(),
            MethodKind::SimPki => {
                services.certificates.is_some() && services.connectors.mobile_signature.is_some()
            }
            MethodKind::RemoteSigning => {
                services.certificates.is_some() && services.connectors.remote_signing.is_some()
            }
            MethodKind::Vneid => {
                services.connectors.vneid.is_some() && services.federation_callback.is_some()
            }
            _ => true,
        })
        .collect()
}

/// Whether the method signs in with a certificate (and so can register and bind one).
pub(crate) fn signs_with_certificate(method: MethodKind) -> bool {
    descriptor(method)
        .needs
        .contains(&CredentialKind::Certificate)
}

/// Whether one of the account's certificates is held where `method` signs: on a token, a SIM,
/// or at the remote signing service. Certificates bound before this was recorded are tokens.
fn holds_certificate_for(method: MethodKind, credentials: &[Credential]) -> bool {
    credentials.iter().any(|held| {
        let via = held.public_data.get("via").and_then(|via| via.as_str());
        held.kind == CredentialKind::Certificate
            && via.unwrap_or(MethodKind::UsbToken.as_str()) == method.as_str()
    })
}

/// The enabled methods an account can sign in with, strongest first.
pub(crate) fn held_by(
    services: &Services,
    kind: AccountKind,
    credentials: &[Credential],
) -> Vec<MethodKind> {
    let mut held: Vec<MethodKind> = enabled(services)
        .into_iter()
        .filter(|method| descriptor(*method).applies_to(kind, credentials))
        .filter(|method| {
            !signs_with_certificate(*method) || holds_certificate_for(*method, credentials)
        })
        .collect();
    held.sort_by_key(|method| std::cmp::Reverse(descriptor(*method).level));
    held
}
