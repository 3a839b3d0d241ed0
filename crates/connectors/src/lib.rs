//! dvcid's view of the outside world: one trait per external system (population database,
//! telecom subscribers, BHXH, SMS, e-mail, the carriers' mobile signature service, remote
//! signing, VNeID sign-in) and its real-protocol client. The protocols are written down in
//! `crates/sandbox/PROTOCOL.md`; the `sandbox` crate answers them (all but VNeID, which is
//! standard OpenID Connect and runs as a service of its own).
//!
//! Every call has a timeout, retries only where repeating is safe, never logs a secret, an
//! OTP or a message body, and parses every answer into domain types at the boundary: a
//! malformed answer is [`ConnectorError::InvalidResponse`], never a panic.
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
mod config;
mod error;
mod federation;
mod http;
mod mail;
mod mobile_signature;
mod population;
mod remote_signing;
pub mod revocation;
mod sms;
mod subscribers;
mod wire;

use std::sync::Arc;

pub use bhxh::{BhxhRegistry, HttpBhxhRegistry, InsuredPerson};
pub use business_registry::{BusinessRegistry, HttpBusinessRegistry, RegisteredBusiness};
pub use config::{
    ConfigError, ConnectorsConfig, HttpEndpoint, MobileSignatureConfig, RemoteSigningConfig,
    SmtpEndpoint, StatusCodeTable, VneidConfig,
};
pub use error::{ConnectorError, MismatchField, System};
pub use federation::{
    EidLevel, FederatedAuthorization, FederatedCallback, FederatedIdentity, IdentityProvider,
    OidcFederation,
};
pub use mail::{Mailer, SmtpMailer};
pub use mobile_signature::{
    EtsiMobileSignature, MobileRefusal, MobileSignatureRequest, MobileSignatureService,
    MobileSignatureStarted, MobileSignatureStatus, sha256_digest_info,
};
pub use population::{Citizen, HttpPopulationRegistry, PopulationRegistry};
pub use remote_signing::{
    RemoteCredential, RemoteSession, RemoteSignatureRequest, RemoteSignatureStatus,
    RemoteSigningService, SmartCaGateway,
};
pub use sms::{HttpSmsGateway, SmsGateway, SmsReceipt};
pub use subscribers::{HttpSubscriberRegistry, Subscriber, SubscriberRegistry};

/// One handle on every external system, as trait objects so that a test or another crate can
/// put its own implementation in any slot.
#[derive(Clone)]
pub struct Connectors {
    pub population: Arc<dyn PopulationRegistry>,
    pub subscribers: Arc<dyn SubscriberRegistry>,
    pub bhxh: Arc<dyn BhxhRegistry>,
    pub sms: Arc<dyn SmsGateway>,
    pub mailer: Arc<dyn Mailer>,
    /// Absent where the deployment does not reach it: businesses are then named as their
    /// certificate names them.
    pub business_registry: Option<Arc<dyn BusinessRegistry>>,
    /// The carriers' mobile signature service (Sim ký số); absent: the method is not offered.
    pub mobile_signature: Option<Arc<dyn MobileSignatureService>>,
    /// The remote signing service (VNPT SmartCA); absent: the method is not offered.
    pub remote_signing: Option<Arc<dyn RemoteSigningService>>,
    /// VNeID, the national eID provider (S9, L4); absent: "Đăng nhập bằng VNeID" is not offered.
    pub vneid: Option<Arc<dyn IdentityProvider>>,
}

impl Connectors {
    /// The real-protocol clients for `config`; refuses a configuration that cannot work,
    /// naming its key.
    pub fn from_config(config: &ConnectorsConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(Self {
            population: Arc::new(HttpPopulationRegistry::new(&config.population)?),
            subscribers: Arc::new(HttpSubscriberRegistry::new(&config.subscribers)?),
            bhxh: Arc::new(HttpBhxhRegistry::new(&config.bhxh)?),
            sms: Arc::new(HttpSmsGateway::new(&config.sms)?),
            mailer: Arc::new(SmtpMailer::new(&config.smtp)?),
            business_registry: match &config.business_registry {
                Some(endpoint) => Some(Arc::new(HttpBusinessRegistry::new(endpoint)?)),
                None => None,
            },
            mobile_signature: match &config.mobile_signature {
                Some(mssp) => Some(Arc::new(EtsiMobileSignature::new(mssp)?)),
                None => None,
            },
            remote_signing: match &config.remote_signing {
                Some(remote) => Some(Arc::new(SmartCaGateway::new(remote)?)),
                None => None,
            },
            vneid: match &config.vneid {
                Some(vneid) => Some(Arc::new(OidcFederation::new(vneid)?)),
                None => None,
            },
        })
    }
}
