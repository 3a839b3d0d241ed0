//! The narrow capabilities a flow step uses — store, registries, clock, randomness, OTPs,
//! passwords, throttling, sessions — built once by the engine and lent to each step. Flows
//! receive these, never the engine, so no flow module imports the module that dispatches it.

use std::sync::Arc;

use connectors::Connectors;
use domain::{Clock, PasswordPolicy};
use store::Store;

use crate::certificates::CertificateSignIn;
use crate::config::FlowConfig;
use crate::otp::Otps;
use crate::passwords::Passwords;
use crate::sessions::Sessions;
use crate::throttle::Throttle;
use domain::random::Randomness;

pub struct Services {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) connectors: Connectors,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) random: Arc<dyn Randomness>,
    pub(crate) config: FlowConfig,
    pub(crate) password_policy: PasswordPolicy,
    pub(crate) otps: Otps,
    pub(crate) passwords: Arc<Passwords>,
    pub(crate) throttle: Arc<Throttle>,
    pub(crate) sessions: Sessions,
    /// Sign-in with certificates, when trust anchors are configured.
    pub(crate) certificates: Option<Arc<CertificateSignIn>>,
    /// This site's VNeID callback (the redirect URI registered at VNeID), when signing in with
    /// VNeID is turned on.
    pub(crate) federation_callback: Option<url::Url>,
    /// This site's public base URL, the only one links in e-mails are built on (never a
    /// request's Host header).
    pub(crate) public_base: Option<url::Url>,
}
